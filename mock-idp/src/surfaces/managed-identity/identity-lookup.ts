import { managedIdentitiesOf, type ManagedIdentity } from '../../directory/managed-identity.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';

/**
 * Which managed identity a token request is for. A request names at most one of client id,
 * object (principal) id or resource id; without one, the endpoint's default identity answers.
 * The mock's tenants play the Azure resource the identities are assigned to: every managed
 * identity of the tenant (or, on the IMDS path without a tenant, of every tenant) counts as
 * assigned to "this" app or VM. UNCONFIRMED that model; the errors are Azure's.
 */

export interface IdentitySelector {
  clientId?: string | undefined;
  objectId?: string | undefined;
  resourceId?: string | undefined;
}

export type IdentityLookup =
  | { ok: true; tenant: TenantRuntime; identity: ManagedIdentity }
  /** `ambiguous`: no id named and more than one identity could answer. */
  | { ok: false; reason: 'not-found' | 'ambiguous' };

interface Candidate {
  tenant: TenantRuntime;
  identity: ManagedIdentity;
}

const candidatesOf = (tenants: TenantRuntime[]): Candidate[] =>
  tenants.flatMap((tenant) => managedIdentitiesOf(tenant.directory.fixture).map((identity) => ({ tenant, identity })));

/**
 * `defaultIdentity`: what answers a request that names no identity. App Service: the system-
 * assigned identity only (with user-assigned ones alone it answers "Unable to load the proper
 * Managed Identity.": microsoft/azure-container-apps #442, davrous/AzureAgentToM365 #2). IMDS:
 * the system-assigned one, else the only user-assigned one (UNCONFIRMED).
 */
export function findManagedIdentity(
  tenants: TenantRuntime[],
  selector: IdentitySelector,
  defaultIdentity: 'system-assigned' | 'system-or-single',
): IdentityLookup {
  const all = candidatesOf(tenants);
  const { clientId, objectId, resourceId } = selector;
  if (clientId !== undefined || objectId !== undefined || resourceId !== undefined) {
    const found = all.filter(
      ({ identity }) =>
        (clientId === undefined || identity.clientId === clientId.toLowerCase()) &&
        (objectId === undefined || identity.objectId === objectId.toLowerCase()) &&
        (resourceId === undefined || identity.resourceId.toLowerCase() === resourceId.toLowerCase()),
    );
    return found.length === 1 ? { ok: true, ...found[0]! } : { ok: false, reason: found.length === 0 ? 'not-found' : 'ambiguous' };
  }
  const system = all.filter((c) => !c.identity.userAssigned);
  if (system.length === 1) return { ok: true, ...system[0]! };
  if (system.length > 1) return { ok: false, reason: 'ambiguous' };
  if (defaultIdentity === 'system-or-single' && all.length === 1) return { ok: true, ...all[0]! };
  return { ok: false, reason: all.length > 1 ? 'ambiguous' : 'not-found' };
}
