import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveCollection } from '../../graph/collection.js';
import { castSet, GROUPS, type EntitySet } from '../../graph/entity-sets.js';
import { demand, graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { findGroup, findUser, me, type Target } from '../../graph/lookup.js';
import { allowed, PERMISSIONS } from '../../graph/permissions.js';

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

/** `id`: absent on /me; `cast`: the type cast segment, when present. */
interface MemberOfParams {
  id?: string;
  cast?: string;
}

export function registerMemberOfRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const subject of ['me', 'users', 'groups'] as const) {
    for (const nav of ['memberOf', 'transitiveMemberOf'] as const) {
      const transitive = nav === 'transitiveMemberOf';
      const handle = (call: GraphCall<MemberOfParams>, countOnly: boolean): ReturnType<typeof serveCollection> => {
        const target = resolve(call, subject);
        demand(allowed(call.caller, subject === 'groups' ? PERMISSIONS.groupRelations : PERMISSIONS.userMemberOf, target?.self ?? false));
        if (!target) throw notFound(call.request.params.id ?? '');
        const { cast } = call.request.params;
        let set: EntitySet | undefined;
        if (cast !== undefined) {
          // `…/memberOf/%24count` reaches the cast route.
          if (cast.toLowerCase() === '$count') countOnly = true;
          else set = castSet(cast);
        }
        return serveCollection(call, {
          entitySet: set ? set.name : 'directoryObjects',
          sets: [set ?? GROUPS],
          typed: !set,
          reference: true,
          // Only groups hold members in this mock (no directory roles or administrative units).
          ids: (ix) => (set && set !== GROUPS ? [] : transitive ? ix.transitiveMemberOf(target.id) : ix.memberOf(target.id)),
          key: `${target.set.kind}/${target.id}/${nav}/${set?.kind ?? '*'}`,
          countOnly,
        });
      };
      const base = subject === 'me' ? '/me' : `/${subject}/:id`;
      const endpoint = `${subject}.${nav}`;
      app.get<{ Params: MemberOfParams }>(
        `${base}/${nav}`,
        graphRoute<MemberOfParams>(ctx, endpoint, (call) => handle(call, false)),
      );
      app.get<{ Params: MemberOfParams }>(
        `${base}/${nav}/$count`,
        graphRoute<MemberOfParams>(ctx, `${endpoint}.count`, (call) => handle(call, true)),
      );
      app.get<{ Params: MemberOfParams }>(
        `${base}/${nav}/:cast`,
        graphRoute<MemberOfParams>(ctx, endpoint, (call) => handle(call, false)),
      );
      app.get<{ Params: MemberOfParams }>(
        `${base}/${nav}/:cast/$count`,
        graphRoute<MemberOfParams>(ctx, `${endpoint}.count`, (call) => handle(call, true)),
      );
    }
  }
}

function resolve(call: GraphCall<MemberOfParams>, subject: Subject): Target | undefined {
  if (subject === 'me') return me(call);
  const ref = call.request.params.id ?? '';
  return subject === 'users' ? findUser(call, ref) : findGroup(call, ref);
}
