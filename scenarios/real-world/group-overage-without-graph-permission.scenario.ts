import { addSecurityGroups, browserLogin, configureBridge, CONTOSO, defineScenario, expectGraphError, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A group overage the bridge resolves app-only, without Group.Read.All consented: Graph answers 403 and the user is not provisioned',
  reproduces:
    'Real-world case: group overage without the Graph permission to resolve it — the token only points to Graph, and the app may not read memberships there',
  tenant: {
    mutate: addSecurityGroups({ count: 250, members: [CONTOSO.users.adele.id], name: 'Overage project' }),
    // The bridge's Group.Read.All application permission is the default tenant's only app role assignment.
    patch: [{ op: 'remove', path: '/appRoleAssignments/0' }],
  },
  steps: [configureBridge({ overageLookup: 'app-only' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectGraphError('Authorization_RequestDenied', { status: 403, phase: 'provisioning' }), expectNoBridgeUser()],
});
