import { EntraError } from '../errors/entra-error.js';
import { authenticateConfidentialClient } from '../protocol/client-auth.js';
import { checkResourceParameter } from '../protocol/resource-parameter.js';
import { parseScopes } from '../protocol/scope.js';
import { requireV1Resource } from '../protocol/v1-resource.js';
import { appAccessToken } from '../tokens/issue.js';
import { issuerOf, type GrantHandler } from './grant.js';

/**
 * grant_type=client_credentials: app-only tokens for `{resource}/.default`, carrying in `roles`
 * only the application permissions an administrator granted (appRoleAssignments); none → no
 * `roles` claim at all. https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
export const clientCredentialsGrant: GrantHandler = async (g) => {
  const clientAuth = authenticateConfidentialClient(g.client, g.credentials, {
    now: g.tenant.now(),
    get audiences() {
      return g.assertionAudiences;
    },
  });
  if (g.version === 'v1') requireV1Resource(g.params);
  const scope = g.params.require('scope');
  const parts = scope.split(/\s+/).filter(Boolean);
  // Blanks only (`scope=%20`) name no resource at all: missing, not "more than one resource" (28000).
  if (parts.length === 0) throw new EntraError(900144, { name: 'scope' });
  for (const p of parts) if (!p.endsWith('/.default')) throw new EntraError(1002012, { scope: p });
  const requested = parseScopes(g.tenant.directory, scope, g.client);
  if (requested.resources.length !== 1) throw new EntraError(28000, { scope });
  if (g.version === 'v2') checkResourceParameter(g.tenant.directory, g.params, requested);
  const resource = requested.resources[0]!;
  const roles = g.tenant.directory.grantedAppRoles(g.client.appId, resource.app);
  const at = await appAccessToken(issuerOf(g), { client: g.client, clientAuth, resource: resource.app, resourceIdentifier: resource.identifier, roles });
  return { token_type: 'Bearer', expires_in: at.expiresIn, ext_expires_in: at.expiresIn, access_token: at.token };
};
