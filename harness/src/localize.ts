import { CONTOSO } from '../../mock-idp/src/index.js';

/**
 * Scenarios are written against the default tenant's well-known ids (CONTOSO); each run has a
 * tenant of its own. This maps every Contoso tenant id and domain inside a value (strings,
 * arrays, plain objects) onto the run's tenant.
 */

const CONTOSO_DOMAIN = new RegExp(CONTOSO.domain.replace(/\./g, '\\.'), 'gi');
const CONTOSO_TENANT = new RegExp(CONTOSO.tenantId, 'gi');

/** `value` with the default tenant's id and domain replaced by `tenant`'s (a deep copy of arrays and plain objects). */
export function localizeValue(value: unknown, tenant: { id: string; domain: string }): unknown {
  if (typeof value === 'string') return value.replace(CONTOSO_DOMAIN, tenant.domain).replace(CONTOSO_TENANT, tenant.id);
  if (Array.isArray(value)) return value.map((v) => localizeValue(v, tenant));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localizeValue(v, tenant)]));
  }
  return value;
}
