import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ID token has no sub: the bridge rejects it',
  reproduces: 'OIDF oidcc-client-test-missing-sub (rp-id_token-sub); OIDC Core 2 (sub is required). A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'sub-removed' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'id_token', error: /^OAUTH_INVALID_RESPONSE .*JWT "sub" \(subject\) claim missing/ }), expectNoBridgeUser()],
});
