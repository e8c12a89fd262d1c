import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveCollection } from '../../graph/collection.js';
import { demand, graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { castKind, findGroup, findUser, me, type Target } from '../../graph/lookup.js';
import { allowed, PERMISSIONS } from '../../graph/permissions.js';
import type { ResourceKind } from '../../graph/resources.js';

/**
 * What an object is a member of: GET /v1.0/me/memberOf, /me/transitiveMemberOf,
 * /users/{id | userPrincipalName}/memberOf, …/transitiveMemberOf, and the same on groups,
 * with the casts /microsoft.graph.group (context `#groups`) and `/$count`.
 * https://learn.microsoft.com/graph/api/user-list-memberof · …/user-list-transitivememberof
 * Permissions: for users User.Read (oneself), User.Read.All, GroupMember.Read.All,
 * Group.Read.All, Directory.Read.All; for groups the group-reading ones. With User.Read alone
 * the groups come back with their type and id only (limited information), as at Microsoft.
 * This is where a client recovers from a groups overage: transitiveMemberOf returns every group.
 */
type Subject = 'me' | 'users' | 'groups';

export function registerMemberOfRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const subject of ['me', 'users', 'groups'] as const) {
    for (const nav of ['memberOf', 'transitiveMemberOf'] as const) {
      const transitive = nav === 'transitiveMemberOf';
      const handle = (call: GraphCall, cast: string | undefined, countOnly: boolean): ReturnType<typeof serveCollection> => {
        const target = resolve(call, subject);
        demand(allowed(call.caller, subject === 'groups' ? PERMISSIONS.groupRelations : PERMISSIONS.userMemberOf, target?.self ?? false));
        if (!target) throw notFound((call.request.params as { id: string }).id);
        let kind: ResourceKind | undefined;
        if (cast !== undefined) {
          if (cast.toLowerCase() === '$count') return handle(call, undefined, true);
          kind = castKind(cast);
        }
        return serveCollection(call, {
          entitySet: kind ? (`${kind}s` as 'users' | 'groups') : 'directoryObjects',
          kinds: kind ? [kind] : ['group'],
          typed: !kind,
          reference: true,
          // Only groups hold members in this mock (no directory roles or administrative units).
          ids: (ix) => (kind === 'user' ? [] : transitive ? ix.transitiveMemberOf(target.id) : ix.memberOf(target.id)),
          key: `${target.kind}/${target.id}/${nav}/${kind ?? '*'}`,
          countOnly,
        });
      };
      const base = subject === 'me' ? '/v1.0/me' : `/v1.0/${subject}/:id`;
      const endpoint = `${subject}.${nav}`;
      app.get(
        `${base}/${nav}`,
        graphRoute(ctx, endpoint, (call) => handle(call, undefined, false)),
      );
      app.get(
        `${base}/${nav}/$count`,
        graphRoute(ctx, `${endpoint}.count`, (call) => handle(call, undefined, true)),
      );
      app.get(
        `${base}/${nav}/:cast`,
        graphRoute(ctx, endpoint, (call) => handle(call, (call.request.params as { cast: string }).cast, false)),
      );
      app.get(
        `${base}/${nav}/:cast/$count`,
        graphRoute(ctx, `${endpoint}.count`, (call) => handle(call, (call.request.params as { cast: string }).cast, true)),
      );
    }
  }
}

function resolve(call: GraphCall, subject: Subject): Target | undefined {
  if (subject === 'me') return me(call);
  const ref = (call.request.params as { id: string }).id;
  return subject === 'users' ? findUser(call, ref) : findGroup(call, ref);
}
