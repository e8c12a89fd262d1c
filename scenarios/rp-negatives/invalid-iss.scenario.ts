import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's iss is one character off: the bridge rejects it",
  reproduces:
    'OIDF oidcc-client-test-invalid-iss (rp-id_token-issuer-mismatch); OIDC Core 3.1.3.7 (2): iss must exactly match the issuer. A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'iss-near-miss' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_JWT_CLAIM_COMPARISON_FAILED .*unexpected JWT "iss" \(issuer\) claim value/ }),
    expectNoBridgeUser(),
  ],
});
