import type { Application } from '../directory/model.js';
import { GRAPH_APP_ID } from '../directory/microsoft-graph.js';
import { EntraError } from '../errors/entra-error.js';
import type { Sealer } from '../keys/sealing.js';
import { codeTenantId } from '../store/codes.js';
import { REFRESH_TOKEN_PURPOSE, type RefreshTokenRecord } from '../store/records.js';
import type { Params } from './params.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import type { Tenants } from '../runtime/tenants.js';
import type { TenantSegment } from './tenant-segment.js';

/**
 * Finds the client application and the tenant the request is served in. On /common and
 * /organizations that is the app's home tenant until the user is known (userTenantByLogin);
 * single-tenant apps are refused there as Entra refuses them (refuseSingleTenantOnAlias,
 * AADSTS50194). On a tenant's own endpoints, a multi-tenant app of another tenant is found
 * through its service principal there (created by consent); without one, AADSTS700016 — whose
 * text says just that.
 * https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant
 */
export function resolveClient(tenants: Tenants, seg: TenantSegment, clientId: string): { tenant: TenantRuntime; app: Application } {
  if (seg.kind === 'tenant') {
    const app = seg.tenant.directory.app(clientId) ?? foreignApp(tenants, seg.tenant, clientId);
    if (!app || app.appId.toLowerCase() === GRAPH_APP_ID) throw new EntraError(700016, { clientId, tenant: seg.segment });
    return { tenant: seg.tenant, app };
  }
  // Personal Microsoft accounts are outside this mock: /consumers has no directory to sign into.
  if (seg.alias === 'consumers') throw new EntraError(90002, { tenant: seg.alias });
  const tenant = tenants.homeOfApp(clientId);
  const app = tenant?.directory.app(clientId);
  if (!tenant || !app) throw new EntraError(700016, { clientId, tenant: seg.alias });
  return { tenant, app };
}

/**
 * A single-tenant app on /common or /organizations: AADSTS50194. Apart from resolveClient
 * because where it goes depends on the endpoint: back to the redirect URI at /authorize once that
 * is trusted (aspnetcore-connect-sample #65: `invalid_request` reaches the app), JSON at /token.
 * UNCONFIRMED: that Entra refuses before the user signs in rather than after, and that
 * /organizations answers like /common (docs/entra-wire.md §12).
 */
export function refuseSingleTenantOnAlias(seg: TenantSegment, app: Application): void {
  if (seg.kind !== 'multi') return;
  if ((app.signInAudience ?? 'AzureADMyOrg') === 'AzureADMyOrg') throw new EntraError(50194, { clientId: app.appId, appName: app.displayName });
}

/** A multi-tenant app registered in another tenant that has a service principal in `tenant`. */
export function foreignApp(tenants: Tenants, tenant: TenantRuntime, clientId: string): Application | undefined {
  if (!tenant.directory.servicePrincipals.has(clientId.toLowerCase())) return undefined;
  const app = tenants.homeOfApp(clientId)?.directory.app(clientId);
  return app && isMultiTenant(app) ? app : undefined;
}

/** Work or school accounts of any organization may sign in (AzureADMultipleOrgs, or personal accounts too). */
export const isMultiTenant = (app: Application): boolean =>
  app.signInAudience === 'AzureADMultipleOrgs' || app.signInAudience === 'AzureADandPersonalMicrosoftAccount';

/**
 * The tenant a user signs in to. A tenant's own endpoints name it; on /organizations and /common
 * Entra finds the user's home tenant from the sign-in name's domain (home realm discovery), so a
 * user of another tenant signs in there — the app's own tenant when no tenant has the domain.
 * https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant#update-your-code-to-send-requests-to-common
 */
export function userTenantByLogin(tenants: Tenants, appTenant: TenantRuntime, onAlias: boolean, login: string): TenantRuntime {
  if (!onAlias) return appTenant;
  if (appTenant.directory.userByLogin(login)) return appTenant;
  const at = login.lastIndexOf('@');
  return (at < 0 ? undefined : tenants.byDomainName(login.slice(at + 1))) ?? appTenant;
}

/**
 * The tenant a token request of a multi-tenant app on /organizations or /common redeems in: the
 * one its code or refresh token was issued in — the signed-in user's, where the app has a
 * service principal. Anything else (or a code that is no code) stays with the app's tenant,
 * whose grant then refuses it as it refuses any unknown code.
 */
export function redeemingTenant(
  tenants: Tenants,
  sealer: Sealer,
  seg: TenantSegment,
  appTenant: TenantRuntime,
  app: Application,
  params: Params,
): TenantRuntime {
  if (seg.kind !== 'multi' || !isMultiTenant(app)) return appTenant;
  const grantType = params.get('grant_type');
  const code = params.get('code');
  const rt = params.get('refresh_token');
  let tid: string | undefined;
  if (grantType === 'authorization_code' && code !== undefined) tid = codeTenantId(sealer, code);
  else if (grantType === 'refresh_token' && rt?.startsWith('1.A')) tid = sealer.unseal<RefreshTokenRecord>(rt.slice(3), REFRESH_TOKEN_PURPOSE)?.tid;
  const tenant = tid === undefined ? undefined : tenants.get(tid);
  return tenant && tenant.directory.servicePrincipals.has(app.appId.toLowerCase()) ? tenant : appTenant;
}
