import { browserLogin, CONTOSO, defineScenario, expectAadsts, expectBridgeUser, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: '"Assignment required?" on the bridge\'s enterprise app: an assigned user signs in, an unassigned one is sent back with AADSTS50105',
  reproduces: 'Real-world case: a user not assigned to the app (appRoleAssignmentRequired on the service principal)',
  tenant: {
    patch: [
      { op: 'add', path: '/servicePrincipals', value: [{ appId: CONTOSO.bridge.appId, appRoleAssignmentRequired: true }] },
      // Adele is assigned (the default access role, id all zeros); Alex is not.
      {
        op: 'add',
        path: '/appRoleAssignments/-',
        value: {
          principalId: CONTOSO.users.adele.id,
          principalType: 'User',
          resourceId: CONTOSO.bridge.appId,
          appRoleId: '00000000-0000-0000-0000-000000000000',
        },
      },
    ],
  },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }), browserLogin({ app: 'bridge', user: 'AlexW@contoso.onmicrosoft.com' })],
  expect: [
    expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [CONTOSO.groups.engineering] }),
    expectAadsts(50105, { surface: 'redirect' }),
    expectNoBridgeUser('AlexW@contoso.onmicrosoft.com'),
  ],
});
