import { EntraError } from '../errors/entra-error.js';
import type { Tenants } from '../runtime/tenants.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { isGuid } from '../support/ids.js';

/**
 * The `{tenant}` path segment: a tenant GUID, a verified domain, or one of the multi-tenant
 * aliases. https://learn.microsoft.com/entra/identity-platform/v2-protocols#endpoints
 */
export type MultiTenantAlias = 'common' | 'organizations' | 'consumers';

export type TenantSegment =
  | { kind: 'tenant'; tenant: TenantRuntime; segment: string }
  | { kind: 'multi'; alias: MultiTenantAlias; segment: string };

const ALIASES = new Set<string>(['common', 'organizations', 'consumers']);
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
export const MSA_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

export function resolveTenantSegment(tenants: Tenants, segment: string): TenantSegment {
  const lower = segment.toLowerCase();
  if (ALIASES.has(lower)) return { kind: 'multi', alias: lower as MultiTenantAlias, segment: lower };
  if (isGuid(segment)) {
    const t = tenants.get(lower);
    if (t) return { kind: 'tenant', tenant: t, segment: lower };
    throw new EntraError(90002, { tenant: segment });
  }
  if (DNS_NAME.test(segment)) {
    const t = tenants.byDomainName(lower);
    if (t) return { kind: 'tenant', tenant: t, segment: lower };
    throw new EntraError(90002, { tenant: segment });
  }
  throw new EntraError(900023, { tenant: segment.slice(0, 256) });
}
