import { addSecurityGroups, browserLogin, configureBridge, CONTOSO, defineScenario, expectBridgeUser, expectRequests } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A group overage resolved app-only with the admin-consented Group.Read.All: the bridge reads all 252 groups from Graph',
  reproduces: "Real-world case: group overage with the Graph permission to resolve it — an application permission instead of the user's delegated token",
  tenant: { mutate: addSecurityGroups({ count: 250, members: [CONTOSO.users.adele.id], name: 'Overage project' }) },
  steps: [configureBridge({ overageLookup: 'app-only' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    // 250 + Engineering + All Company (transitiveMemberOf lists every group type).
    expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groupCount: 252, groupSource: 'graph-overage' }),
    // The bridge's own app-only token: one client-credentials request besides the code redemption.
    expectRequests({ endpoint: 'token.v2', status: 200, count: 2 }),
  ],
});
