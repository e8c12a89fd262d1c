import { defineScenario, expectGraphError, expectGroupSync, groupSync } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Group.Read.All added as a Delegated permission instead of an Application one: the app-only token has no roles and Graph refuses the sync (403)',
  reproduces: 'PingOne "Connect to Azure" step 11.3: "select Application permissions" — Delegated permissions picked instead',
  tenant: {
    patch: [
      // Microsoft Graph's delegated Group.Read.All (5f8c59db-…) instead of the application permission (5b567255-…).
      {
        op: 'replace',
        path: '/applications/0/requiredResourceAccess/0/resourceAccess/1',
        value: { id: '5f8c59db-677d-491f-a6b8-5f174b11ec1d', type: 'Scope' },
      },
      // A delegated permission is consented in an oauth2PermissionGrant, never as an app role assignment.
      { op: 'remove', path: '/appRoleAssignments/0' },
      { op: 'replace', path: '/oauth2PermissionGrants/0/scope', value: 'openid profile email offline_access User.Read Group.Read.All' },
    ],
  },
  steps: [groupSync()],
  expect: [expectGraphError('Authorization_RequestDenied', { status: 403, phase: 'group-sync' }), expectGroupSync({ ok: false })],
});
