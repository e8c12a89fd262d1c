import type { Group, User } from '../directory/model.js';
import type { TenantDirectory } from '../directory/tenant-directory.js';
import { GRAPH_ERRORS, graphError } from '../errors/graph-error.js';
import { isGuid } from '../support/ids.js';
import {
  APPLICATION_DEFAULT,
  APPLICATION_PROPERTIES,
  applicationObjects,
  ASSIGNMENT_DEFAULT,
  ASSIGNMENT_PROPERTIES,
  SERVICE_PRINCIPAL_DEFAULT,
  SERVICE_PRINCIPAL_PROPERTIES,
  type AppObject,
  type AssignmentObject,
  type SpObject,
} from './application-resources.js';
import {
  APPLICATION_FILTERS,
  ASSIGNMENT_FILTERS,
  GROUP_FILTERS,
  SERVICE_PRINCIPAL_FILTERS,
  USER_FILTERS,
  type FilterCapability,
} from './filter-capabilities.js';
import { GraphFailure } from './graph-failure.js';
import { PERMISSIONS, type PermissionRule } from './permissions.js';
import { GROUP_DEFAULT, GROUP_PROPERTIES, USER_DEFAULT, USER_PROPERTIES, type Getter, type Json } from './resources.js';

/**
 * The directory's entity sets as Graph's query engine sees them, one entry each: what the
 * collection engine (collection.ts, filter.ts, search.ts, directory-index.ts, lookup.ts,
 * permissions) needs to know about a type of object — its names, where its objects live in the
 * tenant's directory, how a URL's key finds one, its properties (default and selectable), what
 * `$filter` may ask of them, and which permissions read them in full.
 *
 * Serving another set (`/applications`, `/servicePrincipals`) is one entry here — `defineEntitySet`
 * with its properties, filters and readers, added to ENTITY_SETS — and the routes that name it.
 * https://learn.microsoft.com/graph/api/resources/user · https://learn.microsoft.com/graph/api/resources/group
 */

export interface EntitySetSpec<O> {
  /** The type's name: `#microsoft.graph.{kind}`, the casts `microsoft.graph.{kind}` and `graph.{kind}`. */
  kind: string;
  /** The entity set, as in the URL and `@odata.context`. */
  name: string;
  /** The resource's name in the directory's refusals ("… of resource 'User'"). */
  resource: string;
  /** Its objects in a tenant's directory, by lowercase id. */
  objects: (dir: TenantDirectory) => ReadonlyMap<string, O>;
  /** The object a URL's key segment names, or undefined (may throw Graph's refusal of the key). */
  find: (dir: TenantDirectory, ref: string) => O | undefined;
  /** Every property the mock serves, with its value; properties not modelled are null. */
  properties: Readonly<Record<string, Getter<O>>>;
  /** Served without `$select`, in Graph's order. */
  defaults: readonly string[];
  /** What `$filter` may ask of each property (filter-capabilities.ts); a property absent here cannot be filtered on. */
  filters: Readonly<Record<string, FilterCapability>>;
  /** Who reads these objects in full inside another collection (members, memberOf); others get type and id only. `self`: about the signed-in user. */
  readers: PermissionRule;
}

/**
 * An entity set as the engine uses it. Its methods take the set's own objects (`O`); the
 * engine, which holds sets of several types at once, passes back what the same set gave it.
 */
export interface EntitySet<O = unknown> {
  readonly kind: string;
  readonly name: string;
  readonly resource: string;
  /** `#microsoft.graph.{kind}`. */
  readonly odataType: string;
  readonly defaults: readonly string[];
  readonly filters: Readonly<Record<string, FilterCapability>>;
  readonly readers: PermissionRule;
  objects(dir: TenantDirectory): ReadonlyMap<string, O>;
  find(dir: TenantDirectory, ref: string): O | undefined;
  /** The property's canonical name (Graph matches names case-insensitively), or undefined. */
  propertyName(name: string): string | undefined;
  /** The value of a property (by its canonical name) of one of this set's objects. */
  value(o: O, id: string, property: string): Json;
}

export function defineEntitySet<O>(spec: EntitySetSpec<O>): EntitySet<O> {
  const names = new Map(Object.keys(spec.properties).map((k) => [k.toLowerCase(), k]));
  return {
    kind: spec.kind,
    name: spec.name,
    resource: spec.resource,
    odataType: `#microsoft.graph.${spec.kind}`,
    defaults: spec.defaults,
    filters: spec.filters,
    readers: spec.readers,
    objects: spec.objects,
    find: spec.find,
    propertyName: (name) => names.get(name.toLowerCase()),
    value: (o, id, property) => {
      const get = spec.properties[property];
      return get ? get(o, id) : null;
    },
  };
}

/** /users/{id | userPrincipalName}. */
export const USERS = defineEntitySet<User>({
  kind: 'user',
  name: 'users',
  resource: 'User',
  objects: (dir) => dir.users,
  find: (dir, ref) => (isGuid(ref) ? dir.users.get(ref.toLowerCase()) : dir.usersByUpn.get(ref.toLowerCase())),
  properties: USER_PROPERTIES,
  defaults: USER_DEFAULT,
  filters: USER_FILTERS,
  readers: PERMISSIONS.getUser,
});

/** /groups/{id}: an id that is not a GUID is refused ("Invalid object identifier"). */
export const GROUPS = defineEntitySet<Group>({
  kind: 'group',
  name: 'groups',
  resource: 'Group',
  objects: (dir) => dir.groups,
  find: (dir, ref) => {
    if (!isGuid(ref)) throw new GraphFailure(graphError(GRAPH_ERRORS.invalidObjectId, { id: ref }));
    return dir.groups.get(ref.toLowerCase());
  },
  properties: GROUP_PROPERTIES,
  defaults: GROUP_DEFAULT,
  filters: GROUP_FILTERS,
  readers: PERMISSIONS.groups,
});

/** A key that is not a GUID: Graph's "Invalid object identifier". */
const guidKey = (ref: string): string => {
  if (!isGuid(ref)) throw new GraphFailure(graphError(GRAPH_ERRORS.invalidObjectId, { id: ref }));
  return ref.toLowerCase();
};

/** /applications/{id} (read-only; Microsoft Graph's own application object is not in a customer tenant). */
export const APPLICATIONS = defineEntitySet<AppObject>({
  kind: 'application',
  name: 'applications',
  resource: 'Application',
  objects: (dir) => applicationObjects(dir).apps,
  find: (dir, ref) => applicationObjects(dir).apps.get(guidKey(ref)),
  properties: APPLICATION_PROPERTIES,
  defaults: APPLICATION_DEFAULT,
  filters: APPLICATION_FILTERS,
  readers: PERMISSIONS.applications,
});

/** /servicePrincipals/{id} (read-only). */
export const SERVICE_PRINCIPALS = defineEntitySet<SpObject>({
  kind: 'servicePrincipal',
  name: 'servicePrincipals',
  resource: 'ServicePrincipal',
  objects: (dir) => applicationObjects(dir).sps,
  find: (dir, ref) => applicationObjects(dir).sps.get(guidKey(ref)),
  properties: SERVICE_PRINCIPAL_PROPERTIES,
  defaults: SERVICE_PRINCIPAL_DEFAULT,
  filters: SERVICE_PRINCIPAL_FILTERS,
  readers: PERMISSIONS.applications,
});

/** App role assignments (/users/{id}/appRoleAssignments, /servicePrincipals/{id}/appRoleAssignedTo): entities, not directory objects. */
export const APP_ROLE_ASSIGNMENTS = defineEntitySet<AssignmentObject>({
  kind: 'appRoleAssignment',
  name: 'appRoleAssignments',
  resource: 'AppRoleAssignment',
  objects: (dir) => applicationObjects(dir).assignments,
  find: (dir, ref) => applicationObjects(dir).assignments.get(ref),
  properties: ASSIGNMENT_PROPERTIES,
  defaults: ASSIGNMENT_DEFAULT,
  filters: ASSIGNMENT_FILTERS,
  readers: PERMISSIONS.appRoleAssignments,
});

/** The directory objects (getByIds, members, memberOf, casts): an object's type is the first set holding its id. */
export const DIRECTORY_OBJECT_SETS: readonly EntitySet[] = [USERS, GROUPS, SERVICE_PRINCIPALS, APPLICATIONS];

/** Every entity set the engine serves. */
export const ENTITY_SETS: readonly EntitySet[] = [...DIRECTORY_OBJECT_SETS, APP_ROLE_ASSIGNMENTS];

/** `microsoft.graph.user`, `graph.user` (the Kiota SDKs' alias), … → its set; anything else → Graph's unknown segment. */
export function castSet(segment: string): EntitySet {
  const s = segment.toLowerCase();
  const set = DIRECTORY_OBJECT_SETS.find((e) => s === `microsoft.graph.${e.kind.toLowerCase()}` || s === `graph.${e.kind.toLowerCase()}`);
  if (!set) throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSegment, { segment }));
  return set;
}
