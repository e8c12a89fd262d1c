import { CONTOSO, defineScenario, expectClaims, spaLogin } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The implicit-grant checkboxes (Access tokens, ID tokens) left unchecked: the SPA uses code + PKCE, so the sign-in works anyway',
  reproduces: 'OpenMetadata "Azure SSO" "Step 1: Access Tokens and ID Tokens": "Select the checkboxes for Access Token and ID Tokens" — skipped',
  tenant: {
    patch: [{ op: 'replace', path: '/applications/1/web/implicitGrantSettings', value: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false } }],
  },
  steps: [spaLogin({ user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: expectClaims({ aud: CONTOSO.openMetadataUi.appId, oid: CONTOSO.users.adele.id, ver: '2.0' }, { from: 'spaLogin' }),
});
