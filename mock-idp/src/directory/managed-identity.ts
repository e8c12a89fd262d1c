import type { ServicePrincipal, TenantFixture } from './model.js';

/**
 * Managed identities in a fixture, as Microsoft Graph shows them: service principals with
 * `servicePrincipalType: ManagedIdentity` and no application object, whose `appId` is the
 * identity's client id, `id` its object (principal) id, and `alternativeNames` its Azure resource
 * id — `isExplicit=True` and `/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`
 * for a user-assigned identity, `isExplicit=False` and the id of the resource it belongs to
 * (`…/providers/Microsoft.Web/sites/{name}`, `…/Microsoft.Compute/virtualMachines/{name}`) for a
 * system-assigned one.
 * https://learn.microsoft.com/graph/api/resources/serviceprincipal (servicePrincipalType, alternativeNames)
 * https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview
 */

export const MANAGED_IDENTITY_TYPE = 'ManagedIdentity';

export interface ManagedIdentity {
  clientId: string;
  objectId: string;
  /** The Azure resource id, as the fixture spells it (the token's `xms_mirid`). */
  resourceId: string;
  userAssigned: boolean;
  displayName: string;
}

/** `/subscriptions/{id}/resourceGroups/{name}/providers/{namespace}/{type}/{name}[/{type}/{name}…]` */
const RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*$/i;
const USER_ASSIGNED = /\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

export const isManagedIdentity = (sp: ServicePrincipal): boolean => sp.servicePrincipalType === MANAGED_IDENTITY_TYPE;

/** The identity a (validated) managed-identity service principal stands for. */
export function managedIdentityOf(sp: ServicePrincipal): ManagedIdentity {
  const resourceId = (sp.alternativeNames ?? []).find((n) => n.startsWith('/')) ?? '';
  return {
    clientId: sp.appId.toLowerCase(),
    objectId: (sp.id ?? '').toLowerCase(),
    resourceId,
    userAssigned: USER_ASSIGNED.test(resourceId),
    displayName: sp.displayName ?? resourceId.slice(resourceId.lastIndexOf('/') + 1),
  };
}

/** Every managed identity of a tenant, in fixture order. */
export const managedIdentitiesOf = (fixture: TenantFixture): ManagedIdentity[] =>
  (fixture.servicePrincipals ?? []).filter(isManagedIdentity).map(managedIdentityOf);

/**
 * What `mock-entra fixtures validate` says about a managed identity's service principal (it has
 * no application, so only these): an object id, exactly one resource id of Azure's form, and an
 * `isExplicit` that agrees with it when given.
 */
export function checkManagedIdentity(sp: ServicePrincipal, path: string, report: (path: string, message: string) => void): void {
  if (!sp.id) report(`${path}.id`, 'a managed identity needs its object (principal) id: clients address it by client id, object id or resource id');
  const names = sp.alternativeNames ?? [];
  const ids = names.filter((n) => n.startsWith('/'));
  if (ids.length !== 1) {
    report(
      `${path}.alternativeNames`,
      'a managed identity needs exactly one Azure resource id, e.g. /subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name} (user-assigned) or the id of the resource it belongs to (system-assigned)',
    );
    return;
  }
  const resourceId = ids[0]!;
  if (!RESOURCE_ID.test(resourceId)) {
    report(
      `${path}.alternativeNames`,
      `${resourceId} is not an Azure resource id (/subscriptions/{id}/resourceGroups/{name}/providers/{namespace}/{type}/{name})`,
    );
    return;
  }
  const explicit = names.find((n) => /^isExplicit=/i.test(n));
  if (explicit !== undefined) {
    const userAssigned = USER_ASSIGNED.test(resourceId);
    if (!/^isExplicit=(true|false)$/i.test(explicit)) report(`${path}.alternativeNames`, `${explicit} must be isExplicit=True or isExplicit=False`);
    else if (/=true$/i.test(explicit) !== userAssigned) {
      report(
        `${path}.alternativeNames`,
        userAssigned
          ? `${explicit} says system-assigned, but ${resourceId} is a user-assigned identity (isExplicit=True)`
          : `${explicit} says user-assigned, but ${resourceId} is not a Microsoft.ManagedIdentity/userAssignedIdentities resource (isExplicit=False)`,
      );
    }
  }
}
