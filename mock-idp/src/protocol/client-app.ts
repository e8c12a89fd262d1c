import type { Application } from '../directory/model.js';
import { GRAPH_APP_ID } from '../directory/microsoft-graph.js';
import { EntraError } from '../errors/entra-error.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import type { Tenants } from '../runtime/tenants.js';
import type { TenantSegment } from './tenant-segment.js';

/**
 * Finds the client application and the tenant the request is served in. On /common and
 * /organizations that is the app's home tenant: multi-tenant sign-in into *other* tenants
 * (service principals created by consent) is outside this mock, and single-tenant apps are
 * refused there as Entra refuses them (refuseSingleTenantOnAlias, AADSTS50194).
 * https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant
 */
export function resolveClient(tenants: Tenants, seg: TenantSegment, clientId: string): { tenant: TenantRuntime; app: Application } {
  if (seg.kind === 'tenant') {
    const app = seg.tenant.directory.app(clientId);
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
