import { addSecurityGroups, browserLogin, CONTOSO, defineScenario, expectBridgeUser, expectRequests } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A user in 250 more security groups: the ID token carries the overage pointer and the bridge reads the groups from Graph',
  reproduces: 'Entra groups overage (more than 200 groups in a JWT): the token names a claim source instead of the groups',
  tenant: { mutate: addSecurityGroups({ count: 250, members: [CONTOSO.users.adele.id], name: 'Overage project' }) },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    // Graph's transitiveMemberOf lists every group type: 250 + Engineering + All Company (Microsoft 365).
    expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groupCount: 252, groupSource: 'graph-overage' }),
    expectRequests({ endpoint: /transitive|memberOf/i, status: 200, atLeast: 3 }),
  ],
});
