import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's nonce is one character off: the bridge rejects it",
  reproduces:
    'OIDF oidcc-client-test-nonce-invalid (rp-nonce-invalid); OIDC Core 3.1.3.7 (11): the nonce must equal the one sent. A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'nonce-near-miss' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'id_token', error: /^OAUTH_JWT_CLAIM_COMPARISON_FAILED .*unexpected ID Token "nonce" claim value/ }), expectNoBridgeUser()],
});
