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
  | { readonly kind: 'tenant'; readonly tenant: TenantRuntime; readonly segment: string }
  | { readonly kind: 'multi'; readonly alias: MultiTenantAlias; readonly segment: string };

const ALIASES = new Set<string>(['common', 'organizations', 'consumers']);
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
export const MSA_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** Segments resolved before, as received, per set of tenants and while it has not changed. */
const resolvedSegments = new WeakMap<Tenants, { version: number; bySegment: Map<string, TenantSegment> }>();
/** A bound on remembered spellings (a client may vary the case of a domain at will). */
const MAX_REMEMBERED = 1024;

/**
 * The tenant a segment names, or Entra's error for it (90002 unknown tenant, 900023 malformed).
 * Every request on Entra's paths resolves one, most of them the same few: a resolution that
 * succeeded is remembered until a tenant is added, removed or re-domained (Tenants.version), so
 * the hot paths (discovery, JWKS, token) skip lowercasing and pattern matching.
 */
export function resolveTenantSegment(tenants: Tenants, segment: string): TenantSegment {
  let cache = resolvedSegments.get(tenants);
  if (cache === undefined || cache.version !== tenants.version) resolvedSegments.set(tenants, (cache = { version: tenants.version, bySegment: new Map() }));
  const known = cache.bySegment.get(segment);
  if (known !== undefined) return known;
  const resolved = resolveUncached(tenants, segment);
  if (cache.bySegment.size < MAX_REMEMBERED) cache.bySegment.set(segment, resolved);
  return resolved;
}

/**
 * Whether a path segment is shaped like a `{tenant}` (an alias, a GUID or a DNS name), known or
 * not: the paths under it are Entra's, answered in Entra's JSON even when no endpoint matches.
 */
export function looksLikeTenantSegment(segment: string): boolean {
  return ALIASES.has(segment.toLowerCase()) || isGuid(segment) || DNS_NAME.test(segment);
}

function resolveUncached(tenants: Tenants, segment: string): TenantSegment {
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
