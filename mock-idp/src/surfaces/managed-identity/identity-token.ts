import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { ManagedIdentity } from '../../directory/managed-identity.js';
import { EntraError } from '../../errors/entra-error.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { appAccessToken } from '../../tokens/issue.js';
import { decodeJwt } from '../../tokens/jwt.js';

/**
 * The access token a managed identity gets: an app-only token of the identity's tenant for the
 * requested resource, as client credentials give one (`idtyp: app`, `oid`/`sub` the identity's
 * service principal, `roles` the application permissions granted to it), with the identity's
 * Azure resource id in `xms_mirid`. `appidacr`/`azpacr` "2": the identity proves itself with a
 * certificate Azure holds (UNCONFIRMED; what MI tokens show in public captures).
 * https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-managed-identities-work-vm
 */

export interface IdentityToken {
  accessToken: string;
  expiresIn: number;
  /** The token's exp and nbf (epoch seconds, tenant clock). */
  expiresOn: number;
  notBefore: number;
  /** The resource as the request named it (echoed as `resource`). */
  resource: string;
}

export async function identityToken(
  ctx: MockContext,
  request: FastifyRequest,
  tenant: TenantRuntime,
  identity: ManagedIdentity,
  resource: string,
): Promise<IdentityToken> {
  const dir = tenant.directory;
  // `https://management.azure.com/` and `https://management.azure.com` name the same API; so do
  // an App ID URI and `{uri}/.default` (what MSAL's scope-to-resource mapping leaves, never here).
  const app = dir.resourceByIdentifier(resource);
  if (!app) throw new EntraError(500011, { resource, tenantName: dir.displayName });
  const client = { appId: identity.clientId, displayName: identity.displayName };
  const at = await appAccessToken(
    { tenant, urls: ctx.urls, key: tenant.activeKey(ctx.machineKey), notes: request.notes },
    {
      client,
      clientAuth: '2',
      resource: app,
      resourceIdentifier: resource,
      roles: dir.grantedAppRoles(identity.clientId, app),
      managedIdentityResourceId: identity.resourceId,
    },
  );
  const claims = decodeJwt(at.token)?.payload ?? {};
  const now = tenant.clock.nowSeconds();
  return {
    accessToken: at.token,
    expiresIn: at.expiresIn,
    expiresOn: typeof claims.exp === 'number' ? claims.exp : now + at.expiresIn,
    notBefore: typeof claims.nbf === 'number' ? claims.nbf : now,
    resource,
  };
}
