import type { Group, User } from '../directory/model.js';
import { GRAPH_ERRORS, graphError } from '../errors/graph-error.js';
import { GROUPS, USERS, type EntitySet } from './entity-sets.js';
import { GraphFailure } from './graph-failure.js';
import type { GraphCall } from './graph-route.js';
import { callerUserId } from './permissions.js';

/**
 * How Graph resolves the objects named in a URL: the key segment by the entity set's own lookup
 * (`/users/{id | userPrincipalName}`, `/groups/{id}`: not a GUID → 400 "Invalid object
 * identifier"), and `/me` (delegated tokens only: 400 "/me request is only valid with delegated
 * authentication flow." otherwise).
 */

export interface Target<O = unknown> {
  set: EntitySet<O>;
  id: string;
  object: O;
  /** The signed-in user themself. */
  self: boolean;
}

/** The object of `set` a key segment names, or undefined. */
export function findIn<O extends { id: string }>(call: GraphCall, set: EntitySet<O>, ref: string): Target<O> | undefined {
  const object = set.find(call.caller.tenant.directory, ref);
  if (object === undefined) return undefined;
  const id = object.id.toLowerCase();
  const generic: EntitySet = set;
  return { set, id, object, self: generic === USERS && callerUserId(call.caller) === id };
}

/** The user a /users/{ref} segment names, or undefined. */
export const findUser = (call: GraphCall, ref: string): Target<User> | undefined => findIn(call, USERS, ref);

/** The group a /groups/{ref} segment names, or undefined (a ref that is not a GUID is refused). */
export const findGroup = (call: GraphCall, ref: string): Target<Group> | undefined => findIn(call, GROUPS, ref);

/** The signed-in user of a delegated token. */
export function me(call: GraphCall): Target<User> {
  const oid = callerUserId(call.caller);
  if (!call.caller.delegated || !oid) throw new GraphFailure(GRAPH_ERRORS.meAppOnly);
  const user = call.caller.tenant.directory.users.get(oid);
  if (!user) throw new GraphFailure(graphError(GRAPH_ERRORS.notFound, { id: oid }));
  return { set: USERS, id: oid, object: user, self: true };
}
