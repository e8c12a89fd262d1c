import type { Group, User } from '../directory/model.js';
import { GRAPH_ERRORS, graphError } from '../errors/graph-error.js';
import { isGuid } from '../support/ids.js';
import { GraphFailure } from './graph-failure.js';
import type { GraphCall } from './graph-route.js';
import { callerUserId } from './permissions.js';
import type { ResourceKind } from './resources.js';

/**
 * How Graph resolves the objects named in a URL: `/users/{id | userPrincipalName}`,
 * `/groups/{id}` (not a GUID → 400 "Invalid object identifier"), `/me` (delegated tokens only:
 * 400 "/me request is only valid with delegated authentication flow." otherwise).
 */
export interface Target {
  kind: ResourceKind;
  id: string;
  object: User | Group;
  /** The signed-in user themself. */
  self: boolean;
}

/** The user a /users/{ref} segment names, or undefined. */
export function findUser(call: GraphCall, ref: string): Target | undefined {
  const dir = call.caller.tenant.directory;
  const key = ref.toLowerCase();
  const user = isGuid(ref) ? dir.users.get(key) : dir.usersByUpn.get(key);
  if (!user) return undefined;
  const id = user.id.toLowerCase();
  return { kind: 'user', id, object: user, self: callerUserId(call.caller) === id };
}

export function findGroup(call: GraphCall, ref: string): Target | undefined {
  if (!isGuid(ref)) throw new GraphFailure(graphError(GRAPH_ERRORS.invalidObjectId, { id: ref }));
  const id = ref.toLowerCase();
  const group = call.caller.tenant.directory.groups.get(id);
  return group ? { kind: 'group', id, object: group, self: false } : undefined;
}

/** The signed-in user of a delegated token. */
export function me(call: GraphCall): Target {
  const oid = callerUserId(call.caller);
  if (!call.caller.delegated || !oid) throw new GraphFailure(GRAPH_ERRORS.meAppOnly);
  const user = call.caller.tenant.directory.users.get(oid);
  if (!user) throw new GraphFailure(graphError(GRAPH_ERRORS.notFound, { id: oid }));
  return { kind: 'user', id: oid, object: user, self: true };
}

/** `microsoft.graph.user`, `graph.user` (the Kiota SDKs' alias), … → the type; anything else → Graph's unknown segment. */
export function castKind(segment: string): ResourceKind {
  const s = segment.toLowerCase();
  if (s === 'microsoft.graph.user' || s === 'graph.user') return 'user';
  if (s === 'microsoft.graph.group' || s === 'graph.group') return 'group';
  throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSegment, { segment }));
}
