import { randomUUID } from 'node:crypto';
import type { OAuth2PermissionGrant, TenantFixture } from '../../src/directory/model.js';
import { GRAPH_APP_ID } from '../../src/directory/microsoft-graph.js';
import { ADELE, expectTokens, newTenant, tokenAt, authorizeCode } from '../errors/flows.js';
import type { TestMock } from '../support/mock-app.js';

/**
 * The on-behalf-of setting of Microsoft's samples (ms-identity-javascript-nodejs-tutorial's
 * "Web API calls Microsoft Graph"): a web client signs the user in and calls the Todo API with a
 * token for `api://{api}/access_as_user`; the Todo API (a confidential client with a secret)
 * trades that token for a Microsoft Graph token. Admin consent covers both hops. Each call makes
 * a tenant of its own (a copy of Contoso), so tests can change it freely.
 */

export const OBO = {
  apiId: 'a7f3c1d2-5b6e-4f70-8a91-b2c3d4e5f601',
  apiSecret: 'api8Q~Todo-Api-Secret-For-Local-Dev-0001',
  webId: 'b8e4d2c3-6c7f-4081-9ba2-c3d4e5f6a702',
  webSecret: 'web8Q~Todo-Web-Secret-For-Local-Dev-0001',
  webRedirect: 'http://localhost:3000/auth/callback',
  scopeId: 'c9f5e3d4-7d80-4192-8cb3-d4e5f6a7b803',
} as const;

export const API_URI = `api://${OBO.apiId}`;
export const API_SCOPE = `${API_URI}/access_as_user`;

const secret = (secretText: string) => ({
  keyId: randomUUID(),
  displayName: 'dev',
  secretText,
  startDateTime: '2024-01-01T00:00:00Z',
  endDateTime: '2099-12-31T23:59:59Z',
});

/** Adds the Todo API and Todo Web registrations and their admin consent to a tenant's fixture. */
export function addOboApps(f: TenantFixture): void {
  f.applications = [
    ...(f.applications ?? []),
    {
      appId: OBO.apiId,
      displayName: 'Todo API',
      signInAudience: 'AzureADMyOrg',
      identifierUris: [API_URI],
      api: {
        requestedAccessTokenVersion: 2,
        oauth2PermissionScopes: [{ id: OBO.scopeId, value: 'access_as_user', type: 'User', adminConsentDisplayName: 'Access Todo API', isEnabled: true }],
      },
      passwordCredentials: [secret(OBO.apiSecret)],
      requiredResourceAccess: [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }] }],
    },
    {
      appId: OBO.webId,
      displayName: 'Todo Web',
      signInAudience: 'AzureADMyOrg',
      web: { redirectUris: [OBO.webRedirect] },
      passwordCredentials: [secret(OBO.webSecret)],
    },
  ];
  const grants: OAuth2PermissionGrant[] = [
    { clientId: OBO.webId, consentType: 'AllPrincipals', resourceId: GRAPH_APP_ID, scope: 'openid profile offline_access User.Read' },
    { clientId: OBO.webId, consentType: 'AllPrincipals', resourceId: OBO.apiId, scope: 'access_as_user' },
    { clientId: OBO.apiId, consentType: 'AllPrincipals', resourceId: GRAPH_APP_ID, scope: 'openid profile offline_access User.Read' },
  ];
  f.oauth2PermissionGrants = [...(f.oauth2PermissionGrants ?? []), ...grants];
}

/** A copy of Contoso with the OBO apps; `edit` changes it after they are added (e.g. removes a grant). */
export function oboTenant(m: TestMock, edit?: (f: TenantFixture) => void): Promise<string> {
  return newTenant(m, (f) => {
    addOboApps(f);
    edit?.(f);
  });
}

/** The web client's sign-in (mock_login=auto) and code redemption: the user's token for the Todo API. */
export async function userTokenForApi(m: TestMock, tenant: string, user: string = ADELE, scope: string = API_SCOPE): Promise<string> {
  const { code } = await authorizeCode(m, { tenant, clientId: OBO.webId, redirectUri: OBO.webRedirect, scope: `openid ${scope}`, user });
  const r = await m.form(tokenAt(tenant), {
    grant_type: 'authorization_code',
    client_id: OBO.webId,
    client_secret: OBO.webSecret,
    code,
    redirect_uri: OBO.webRedirect,
    scope: `openid ${scope}`,
  });
  return String((await expectTokens(r, 'Todo Web code redemption')).access_token);
}

/** The Todo API's on-behalf-of request (client_secret_post); `over` changes or adds fields. */
export const oboRequest = (m: TestMock, tenant: string, assertion: string, over: Record<string, string> = {}) =>
  m.form(tokenAt(tenant), {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    client_id: OBO.apiId,
    client_secret: OBO.apiSecret,
    assertion,
    scope: 'https://graph.microsoft.com/User.Read offline_access',
    requested_token_use: 'on_behalf_of',
    ...over,
  });
