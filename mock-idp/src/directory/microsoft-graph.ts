import type { Application } from './model.js';

/**
 * Microsoft Graph exists in every Entra tenant as a first-party service principal. The ids below
 * are Graph's real permission ids (the same in every tenant), so a manifest copied from the
 * portal — whose requiredResourceAccess lists these GUIDs — works unchanged.
 * https://learn.microsoft.com/graph/permissions-reference
 */

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE_URI = 'https://graph.microsoft.com';

export const GRAPH_DELEGATED_SCOPES = [
  { id: '37f7f235-527c-4136-accd-4a02d197296e', value: 'openid', type: 'User' },
  { id: '14dad69e-099b-42c9-810b-d002981feec1', value: 'profile', type: 'User' },
  { id: '64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0', value: 'email', type: 'User' },
  { id: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182', value: 'offline_access', type: 'User' },
  { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', value: 'User.Read', type: 'User' },
  { id: 'b340eb25-3456-403f-be2f-af7a0d370277', value: 'User.ReadBasic.All', type: 'User' },
  { id: 'a154be20-db9c-4678-8ab7-66f6cc099a59', value: 'User.Read.All', type: 'Admin' },
  // UNCONFIRMED: whether a user may consent to ProfilePhoto.Read.All alone (the permissions
  // reference's consent column was not checked); its id is the one public manifests carry.
  { id: 'c72d93c1-a342-4d87-90ff-27b3e0e79e0c', value: 'ProfilePhoto.Read.All', type: 'User' },
  { id: 'bc024368-1153-4739-b217-4326f2e966d0', value: 'GroupMember.Read.All', type: 'Admin' },
  { id: '5f8c59db-677d-491f-a6b8-5f174b11ec1d', value: 'Group.Read.All', type: 'Admin' },
  { id: '06da0dbc-49e2-44d2-8312-53f166ab848a', value: 'Directory.Read.All', type: 'Admin' },
  { id: 'c79f8feb-a9db-4090-85f9-90d820caa0eb', value: 'Application.Read.All', type: 'Admin' },
] as const;

export const GRAPH_APP_ROLES = [
  { id: '5b567255-7703-4780-807c-7be8301ae99b', value: 'Group.Read.All' },
  { id: '98830695-27a2-44f7-8c18-0c3ebc9698f6', value: 'GroupMember.Read.All' },
  { id: 'df021288-bdef-4463-88db-98f22de89214', value: 'User.Read.All' },
  { id: '97235f07-e226-4f63-ace3-39588e11d3a1', value: 'User.ReadBasic.All' },
  { id: 'e24d31aa-e1ab-4c80-85fe-23018690335d', value: 'ProfilePhoto.Read.All' },
  { id: '7ab1d382-f21e-4acd-a863-ba3e13f7da61', value: 'Directory.Read.All' },
  { id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', value: 'Application.Read.All' },
  { id: '06b708a9-e830-4db3-a914-8e69da51d44f', value: 'AppRoleAssignment.ReadWrite.All' },
] as const;

/** Graph as an application object, so the directory treats it like any other resource. */
export function microsoftGraphApplication(): Application {
  return {
    appId: GRAPH_APP_ID,
    displayName: 'Microsoft Graph',
    signInAudience: 'AzureADMultipleOrgs',
    identifierUris: [GRAPH_RESOURCE_URI, 'https://graph.microsoft.com/', 'https://canary.graph.microsoft.com'],
    // Graph access tokens are v1 tokens (aud https://graph.microsoft.com, iss sts.windows.net).
    api: {
      requestedAccessTokenVersion: 1,
      oauth2PermissionScopes: GRAPH_DELEGATED_SCOPES.map((s) => ({ ...s, isEnabled: true })),
    },
    appRoles: GRAPH_APP_ROLES.map((r) => ({ ...r, allowedMemberTypes: ['Application'], isEnabled: true })),
  };
}

/**
 * OIDC scopes are Graph permissions too. A Graph access token lists openid/profile/email in `scp`
 * (a real one reads "email openid profile User.Read"); offline_access never appears there, and a
 * token for any other resource carries only that resource's scopes.
 */
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
