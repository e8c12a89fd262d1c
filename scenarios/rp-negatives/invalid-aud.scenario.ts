import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's aud is one character off: the bridge rejects it",
  reproduces: 'OIDF oidcc-client-test-invalid-aud (rp-id_token-aud); OIDC Core 3.1.3.7 (3): aud must contain the client id. A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'aud-near-miss' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_JWT_CLAIM_COMPARISON_FAILED .*unexpected JWT "aud" \(audience\) claim value/ }),
    expectNoBridgeUser(),
  ],
});
