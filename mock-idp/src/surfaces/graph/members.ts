import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { GRAPH_ERRORS } from '../../errors/graph-error.js';
import { serveCollection } from '../../graph/collection.js';
import { castSet, GROUPS, USERS, type EntitySet } from '../../graph/entity-sets.js';
import { GraphFailure } from '../../graph/graph-failure.js';
import { graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { findGroup } from '../../graph/lookup.js';
import { PERMISSIONS } from '../../graph/permissions.js';

/**
 * A group's members: GET /v1.0/groups/{id}/members and /transitiveMembers (nested groups and
 * everything inside them), their casts /microsoft.graph.user and /microsoft.graph.group (also
 * spelled graph.user / graph.group, as the Kiota SDKs do) and `/$count`.
 * https://learn.microsoft.com/graph/api/group-list-members · …/group-list-transitivemembers
 * Permissions: GroupMember.Read.All, Group.Read.All, Directory.Read.All (current docs). Members
 * the caller may not read (users without a user-reading permission) come back with their type
 * and id only, every other property null — as Graph does.
 */

/** What a group can hold in this mock. */
const MEMBER_SETS: readonly EntitySet[] = [USERS, GROUPS];

interface MembersParams {
  id: string;
  cast?: string;
}

export function registerMemberRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const nav of ['members', 'transitiveMembers'] as const) {
    const transitive = nav === 'transitiveMembers';
    const handle = (call: GraphCall<MembersParams>, countOnly: boolean): ReturnType<typeof serveCollection> => {
      const { id: ref, cast } = call.request.params;
      const target = findGroup(call, ref);
      if (!target) throw notFound(ref);
      let set: EntitySet | undefined;
      if (cast !== undefined) {
        // `…/members/%24count` reaches the cast route.
        if (cast.toLowerCase() === '$count') countOnly = true;
        else {
          set = castSet(cast);
          const unified = (target.object.groupTypes ?? []).some((t) => t.toLowerCase() === 'unified');
          // Microsoft 365 groups cannot hold groups (group-list-members, Response).
          if (set === GROUPS && unified && !transitive) throw new GraphFailure(GRAPH_ERRORS.unsupportedMemberCast);
        }
      }
      return serveCollection(call, {
        // A cast names the type in the context (#users, #groups), so items carry no @odata.type
        // (OData minimal metadata). UNCONFIRMED: Graph's cast answers were not captured item by item.
        entitySet: set ? set.name : 'directoryObjects',
        sets: set ? [set] : MEMBER_SETS,
        typed: !set,
        reference: true,
        ids: (ix) => {
          const all = transitive ? ix.transitiveMembersOf(target.id) : ix.membersOf(target.id);
          return set ? all.filter((m) => ix.setOf(m) === set) : all;
        },
        key: `groups/${target.id}/${nav}/${set?.kind ?? '*'}`,
        countOnly,
      });
    };
    const endpoint = transitive ? 'groups.transitiveMembers' : 'groups.members';
    const rule = PERMISSIONS.groupRelations;
    app.get<{ Params: MembersParams }>(
      `/groups/:id/${nav}`,
      graphRoute<MembersParams>(ctx, endpoint, (call) => handle(call, false), rule),
    );
    app.get<{ Params: MembersParams }>(
      `/groups/:id/${nav}/$count`,
      graphRoute<MembersParams>(ctx, `${endpoint}.count`, (call) => handle(call, true), rule),
    );
    app.get<{ Params: MembersParams }>(
      `/groups/:id/${nav}/:cast`,
      graphRoute<MembersParams>(ctx, endpoint, (call) => handle(call, false), rule),
    );
    app.get<{ Params: MembersParams }>(
      `/groups/:id/${nav}/:cast/$count`,
      graphRoute<MembersParams>(ctx, `${endpoint}.count`, (call) => handle(call, true), rule),
    );
  }
}
