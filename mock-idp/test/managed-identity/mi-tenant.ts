import type { TenantFixture } from '../../src/directory/model.js';
import { GRAPH_APP_ID } from '../../src/directory/microsoft-graph.js';

/**
 * Managed identities as a fixture writes them (Graph's servicePrincipal with
 * servicePrincipalType ManagedIdentity): the Todo web app's system-assigned identity and a
 * user-assigned one, "id-graph-reader", granted Microsoft Graph's User.Read.All.
 */

const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-111122223333';

export const MI = {
  system: {
    clientId: '5c1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a41',
    objectId: '6d2b3c4d-5e6f-4071-9b8c-0d1e2f3a4b52',
    resourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-todo/providers/Microsoft.Web/sites/todo-web`,
    name: 'todo-web',
  },
  user: {
    clientId: '7e3c4d5e-6f70-4182-8c9d-1e2f3a4b5c63',
    objectId: '8f4d5e6f-7081-4293-9dae-2f3a4b5c6d74',
    resourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-todo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-graph-reader`,
    name: 'id-graph-reader',
  },
} as const;

/** Graph's application permission User.Read.All. */
export const USER_READ_ALL_ROLE = 'df021288-bdef-4463-88db-98f22de89214';

/** Adds both identities (and the user-assigned one's Graph permission) to a tenant's fixture. */
export function addManagedIdentities(f: TenantFixture, which: Array<keyof typeof MI> = ['system', 'user']): void {
  f.servicePrincipals = [
    ...(f.servicePrincipals ?? []),
    ...which.map((k) => ({
      appId: MI[k].clientId,
      id: MI[k].objectId,
      displayName: MI[k].name,
      servicePrincipalType: 'ManagedIdentity' as const,
      alternativeNames: [k === 'user' ? 'isExplicit=True' : 'isExplicit=False', MI[k].resourceId],
    })),
  ];
  if (which.includes('user')) {
    f.appRoleAssignments = [
      ...(f.appRoleAssignments ?? []),
      { principalId: MI.user.objectId, principalType: 'ServicePrincipal', resourceId: GRAPH_APP_ID, appRoleId: USER_READ_ALL_ROLE },
    ];
  }
}
