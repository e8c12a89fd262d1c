import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ID token has no iat: the bridge rejects it',
  reproduces: 'OIDF oidcc-client-test-missing-iat (rp-id_token-iat); OIDC Core 2 (iat is required). A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'iat-removed' }), browserLogin({ app: 'bridge', user: 'MeganB@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'id_token', error: /^OAUTH_INVALID_RESPONSE .*JWT "iat" \(issued at\) claim missing/ }), expectNoBridgeUser()],
});
