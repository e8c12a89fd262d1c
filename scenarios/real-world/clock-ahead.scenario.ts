import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, tenantClock } from '../../harness/src/index.js';

export default defineScenario({
  title: "The identity provider's clock runs two hours ahead: the ID token is not yet valid on arrival, and the bridge rejects it",
  reproduces: "Real-world case: clock skew the other way (see sso/id-token-clock-skew) — the relying party's clock is behind, so nbf and iat lie in its future",
  steps: [tenantClock({ advanceSeconds: 2 * 3600 }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'id_token', error: /nbf|iat/ }), expectNoBridgeUser()],
});
