import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ID token has no aud: the bridge rejects it',
  reproduces: 'OIDF oidcc-client-test-missing-aud; OIDC Core 2 (aud is required). A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'aud-removed' }), browserLogin({ app: 'bridge', user: 'MeganB@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'id_token', error: /^OAUTH_INVALID_RESPONSE .*JWT "aud" \(audience\) claim missing/ }), expectNoBridgeUser()],
});
