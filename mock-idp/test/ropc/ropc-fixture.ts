import { randomUUID } from 'node:crypto';
import type { Application, TenantFixture } from '../../src/directory/model.js';
import { CONTOSO } from '../../src/contoso.js';

/**
 * A copy of the default tenant for ROPC tests: a public client with "Allow public client flows"
 * (a CLI tool) whose Graph permissions an admin consented, Megan with a password, and Alex with a
 * password and per-user MFA enforced.
 */

export const CLI_APP_ID = 'a3b4c5d6-1111-4222-8333-944455566677';
export const MEGAN_PASSWORD = 'Winter2025!';
export const ALEX_PASSWORD = 'Summer2025!';
export const GRAPH = '00000003-0000-0000-c000-000000000000';

export const CLI_APP: Application = {
  appId: CLI_APP_ID,
  displayName: 'Contoso CLI',
  signInAudience: 'AzureADMyOrg',
  isFallbackPublicClient: true,
  publicClient: { redirectUris: ['http://localhost'] },
  requiredResourceAccess: [{ resourceAppId: GRAPH, resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }] }],
};

/** The default tenant's fixture (as GET /_mock/tenants/{id} gives it) under a new id and domain, with the changes above. */
export function ropcTenant(base: TenantFixture): TenantFixture {
  const f = structuredClone(base);
  const id = randomUUID();
  f.id = id;
  f.verifiedDomains = [`ropc${id.slice(0, 8)}.onmicrosoft.com`];
  f.applications = [...(f.applications ?? []), CLI_APP];
  f.oauth2PermissionGrants = [
    ...(f.oauth2PermissionGrants ?? []),
    { clientId: CLI_APP_ID, consentType: 'AllPrincipals', resourceId: GRAPH, scope: 'openid profile email offline_access User.Read' },
  ];
  for (const u of f.users ?? []) {
    if (u.id === CONTOSO.users.megan.id) u.password = MEGAN_PASSWORD;
    if (u.id === CONTOSO.users.alex.id) Object.assign(u, { password: ALEX_PASSWORD, perUserMfaState: 'enforced' });
  }
  return f;
}
