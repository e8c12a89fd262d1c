import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, tenantClock } from '../../harness/src/index.js';

export default defineScenario({
  title: "The identity provider's clock runs two hours behind: the bridge rejects the ID token as expired",
  reproduces: 'Real-world case: clock skew between Entra (or an on-premises proxy) and the relying party; the ID token is expired on arrival',
  steps: [tenantClock({ advanceSeconds: -2 * 3600 }), browserLogin({ app: 'bridge', user: 'MeganB@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'id_token', error: /exp/i }), expectNoBridgeUser()],
});
