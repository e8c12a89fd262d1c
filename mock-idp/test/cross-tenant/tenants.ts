import type { TenantFixture } from '../../src/directory/model.js';

/**
 * Three tenants for sign-in from other tenants: Tailspin registers a multi-tenant app (and a
 * single-tenant one); Fabrikam's users may consent for themselves and Bob is its Global
 * Administrator; Northwind lets no user consent (an administrator must).
 */

export const GRAPH = '00000003-0000-0000-c000-000000000000';
export const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

export const TAILSPIN = {
  id: '1f0e2d3c-4b5a-4697-8877-665544332211',
  domain: 'tailspin.onmicrosoft.com',
  tom: { id: '2a3b4c5d-0001-4000-8000-000000000001', upn: 'tom@tailspin.onmicrosoft.com' },
} as const;

/** The multi-tenant app (AzureADMultipleOrgs): a web app with a secret, asking for User.Read. */
export const PORTAL = {
  appId: '7c6d5e4f-3a2b-4c1d-9e8f-a0b1c2d3e4f5',
  name: 'Tailspin Portal',
  redirectUri: 'http://localhost:3000/auth/callback',
  secret: 'tsp8Q~Portal-Secret-Value-For-Local-Dev-01',
} as const;

/** A single-tenant app of Tailspin. */
export const INTRANET = { appId: '8d7e6f50-4b3c-4d2e-8f90-b1c2d3e4f506', redirectUri: 'http://localhost:3001/callback' } as const;

export const FABRIKAM = {
  id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  domain: 'fabrikam.onmicrosoft.com',
  bob: { id: '4d5e6f70-0002-4000-8000-000000000002', upn: 'bob@fabrikam.onmicrosoft.com' },
  carol: { id: '5e6f7081-0003-4000-8000-000000000003', upn: 'carol@fabrikam.onmicrosoft.com' },
} as const;

export const NORTHWIND = {
  id: '6f708192-a3b4-4c5d-9e6f-708192a3b4c5',
  domain: 'northwind.onmicrosoft.com',
  nina: { id: '708192a3-0004-4000-8000-000000000004', upn: 'nina@northwind.onmicrosoft.com' },
  ned: { id: '8192a3b4-0005-4000-8000-000000000005', upn: 'ned@northwind.onmicrosoft.com' },
} as const;

export const tailspin = (): TenantFixture => ({
  id: TAILSPIN.id,
  displayName: 'Tailspin Toys',
  verifiedDomains: [TAILSPIN.domain],
  applications: [
    {
      appId: PORTAL.appId,
      displayName: PORTAL.name,
      signInAudience: 'AzureADMultipleOrgs',
      web: { redirectUris: [PORTAL.redirectUri] },
      passwordCredentials: [{ keyId: '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a', secretText: PORTAL.secret }],
      requiredResourceAccess: [{ resourceAppId: GRAPH, resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }] }],
    },
    {
      appId: INTRANET.appId,
      displayName: 'Tailspin Intranet',
      signInAudience: 'AzureADMyOrg',
      web: { redirectUris: [INTRANET.redirectUri] },
    },
  ],
  oauth2PermissionGrants: [
    { clientId: PORTAL.appId, consentType: 'AllPrincipals', resourceId: GRAPH, scope: 'openid profile email offline_access User.Read' },
    { clientId: INTRANET.appId, consentType: 'AllPrincipals', resourceId: GRAPH, scope: 'openid profile email offline_access User.Read' },
  ],
  users: [{ id: TAILSPIN.tom.id, userPrincipalName: TAILSPIN.tom.upn, displayName: 'Tom Tailspin' }],
});

export const fabrikam = (): TenantFixture => ({
  id: FABRIKAM.id,
  displayName: 'Fabrikam',
  verifiedDomains: [FABRIKAM.domain],
  users: [
    { id: FABRIKAM.bob.id, userPrincipalName: FABRIKAM.bob.upn, displayName: 'Bob Admin' },
    { id: FABRIKAM.carol.id, userPrincipalName: FABRIKAM.carol.upn, displayName: 'Carol User', password: 'Carol-2025!' },
  ],
  directoryRoleAssignments: [{ principalId: FABRIKAM.bob.id, roleDefinitionId: GLOBAL_ADMIN }],
});

export const northwind = (): TenantFixture => ({
  id: NORTHWIND.id,
  displayName: 'Northwind Traders',
  verifiedDomains: [NORTHWIND.domain],
  users: [
    { id: NORTHWIND.nina.id, userPrincipalName: NORTHWIND.nina.upn, displayName: 'Nina Admin' },
    { id: NORTHWIND.ned.id, userPrincipalName: NORTHWIND.ned.upn, displayName: 'Ned User' },
  ],
  directoryRoleAssignments: [{ principalId: NORTHWIND.nina.id, roleDefinitionId: GLOBAL_ADMIN }],
  authorizationPolicy: { defaultUserRolePermissions: { permissionGrantPoliciesAssigned: [] } },
});
