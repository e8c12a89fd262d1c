import type { TenantRuntime } from '../../runtime/tenant-runtime.js';

/**
 * How a tenant is described to test code: by the test-control API (`POST /_mock/tenants`, `GET
 * /_mock/tenants/:id`, `MockEntraControl`'s `TenantInfo`), by `startMockEntra()`'s `tenants` and
 * the CLI's start banner. One description, so they cannot drift apart.
 */

export interface TenantInfo {
  id: string;
  displayName: string;
  verifiedDomains: string[];
  /** The v2.0 authority's base (`{origin}/{tenant id}`), for MSAL and openid-client. */
  authority: string;
  discoveryUrl: string;
  issuer: string;
}

/** `origin`: the mock's public origin for Entra's endpoints (`ctx.urls.login`). */
export function describeTenant(origin: string, t: TenantRuntime): TenantInfo {
  const authority = `${origin}/${t.id}`;
  return {
    id: t.id,
    displayName: t.directory.displayName,
    verifiedDomains: t.directory.domains,
    authority,
    discoveryUrl: `${authority}/v2.0/.well-known/openid-configuration`,
    issuer: `${authority}/v2.0`,
  };
}
