import { defineScenario, expectGraphError, expectGroupSync, groupSync } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Group.Read.All was added but admin consent never granted: Graph refuses the sync with 403 Authorization_RequestDenied',
  reproduces: 'PingOne "Connect to Azure" step 11.7 skipped: "Grant admin consent for…"',
  // The default tenant's only app role assignment is the bridge's admin-consented Group.Read.All.
  tenant: { patch: [{ op: 'remove', path: '/appRoleAssignments/0' }] },
  steps: [groupSync()],
  expect: [expectGraphError('Authorization_RequestDenied', { status: 403, phase: 'group-sync' }), expectGroupSync({ ok: false })],
});
