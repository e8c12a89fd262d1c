import { defineScenario, expectGraphError, expectGroupSync, groupSync } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Group.Read.All never added: the bridge gets an app-only token without roles and Graph refuses the group sync with 403',
  reproduces: 'PingOne "Connect to Azure" step 11.4 skipped: "Expand Group and select Group.Read.All"',
  tenant: {
    patch: [
      { op: 'remove', path: '/applications/0/requiredResourceAccess/0/resourceAccess/1' },
      { op: 'remove', path: '/appRoleAssignments/0' },
    ],
  },
  steps: [groupSync()],
  expect: [expectGraphError('Authorization_RequestDenied', { status: 403, phase: 'group-sync' }), expectGroupSync({ ok: false, groups: 0 })],
});
