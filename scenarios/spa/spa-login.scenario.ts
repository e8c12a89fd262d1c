import { CONTOSO, defineScenario, expectClaims, spaLogin } from '../../harness/src/index.js';

export default defineScenario({
  title: "A user signs in to OpenMetadata's single-page app: authorization code + PKCE from the browser, ID token claims shown",
  reproduces: 'OpenMetadata "Azure SSO" steps 2–3: a Single Page Application redirect URI, authority https://login.microsoftonline.com/{tenantId}',
  steps: [spaLogin({ user: 'MeganB@contoso.onmicrosoft.com' })],
  // Megan has no mail: the v2 ID token carries no email claim even with the email scope.
  expect: expectClaims(
    { aud: CONTOSO.openMetadataUi.appId, preferred_username: 'MeganB@contoso.onmicrosoft.com', oid: CONTOSO.users.megan.id, tid: CONTOSO.tenantId, ver: '2.0' },
    { from: 'spaLogin', absent: ['email'] },
  ),
});
