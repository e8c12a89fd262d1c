import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's exp lies fifteen minutes in the past: the bridge rejects it as expired",
  reproduces:
    'OIDF client-test-invalid-expired-exp (the FAPI plans; the OIDCC RP plans have no module of their own); OIDC Core 3.1.3.7 (9): the current time MUST be before exp. A correct RP rejects the ID token',
  // Fifteen minutes: past any clock-skew tolerance an RP may allow (openid-client: 0 s by default, mod_auth_openidc: 600 s).
  steps: [mutateNext({ target: 'id_token', kind: 'exp-past', seconds: 900 }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({
      phase: 'id_token',
      error: /^OAUTH_JWT_TIMESTAMP_CHECK_FAILED .*unexpected JWT "exp" \(expiration time\) claim value, expiration is past current timestamp/,
    }),
    expectNoBridgeUser(),
  ],
});
