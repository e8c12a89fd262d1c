import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { GRAPH_ERRORS } from '../../errors/graph-error.js';
import { serveCollection } from '../../graph/collection.js';
import { GraphFailure } from '../../graph/graph-failure.js';
import { demand, graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { castKind, findGroup } from '../../graph/lookup.js';
import { allowed, PERMISSIONS } from '../../graph/permissions.js';
import type { ResourceKind } from '../../graph/resources.js';

/**
 * A group's members: GET /v1.0/groups/{id}/members and /transitiveMembers (nested groups and
 * everything inside them), their casts /microsoft.graph.user and /microsoft.graph.group (also
 * spelled graph.user / graph.group, as the Kiota SDKs do) and `/$count`.
 * https://learn.microsoft.com/graph/api/group-list-members · …/group-list-transitivemembers
 * Permissions: GroupMember.Read.All, Group.Read.All, Directory.Read.All (current docs). Members
 * the caller may not read (users without a user-reading permission) come back with their type
 * and id only, every other property null — as Graph does.
 */
export function registerMemberRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const nav of ['members', 'transitiveMembers'] as const) {
    const transitive = nav === 'transitiveMembers';
    const handle = (call: GraphCall, cast: string | undefined, countOnly: boolean) => {
      demand(allowed(call.caller, PERMISSIONS.groupRelations));
      const ref = (call.request.params as { id: string }).id;
      const target = findGroup(call, ref);
      if (!target) throw notFound(ref);
      let kind: ResourceKind | undefined;
      if (cast !== undefined) {
        if (cast.toLowerCase() === '$count') return handle(call, undefined, true);
        kind = castKind(cast);
        const unified = ((target.object as { groupTypes?: string[] }).groupTypes ?? []).some((t) => t.toLowerCase() === 'unified');
        // Microsoft 365 groups cannot hold groups (group-list-members, Response).
        if (kind === 'group' && unified && !transitive) throw new GraphFailure(GRAPH_ERRORS.unsupportedMemberCast);
      }
      return serveCollection(call, {
        // A cast names the type in the context (#users, #groups), so items carry no @odata.type
        // (OData minimal metadata). UNCONFIRMED: Graph's cast answers were not captured item by item.
        entitySet: kind ? (`${kind}s` as 'users' | 'groups') : 'directoryObjects',
        kinds: kind ? [kind] : ['user', 'group'],
        typed: !kind,
        reference: true,
        ids: (ix) => {
          const all = transitive ? ix.transitiveMembersOf(target.id) : ix.membersOf(target.id);
          return kind ? all.filter((m) => ix.typeOf(m) === kind) : all;
        },
        key: `groups/${target.id}/${nav}/${kind ?? '*'}`,
        countOnly,
      });
    };
    const endpoint = transitive ? 'groups.transitiveMembers' : 'groups.members';
    app.get(
      `/v1.0/groups/:id/${nav}`,
      graphRoute(ctx, endpoint, (call) => handle(call, undefined, false)),
    );
    app.get(
      `/v1.0/groups/:id/${nav}/$count`,
      graphRoute(ctx, `${endpoint}.count`, (call) => handle(call, undefined, true)),
    );
    app.get(
      `/v1.0/groups/:id/${nav}/:cast`,
      graphRoute(ctx, endpoint, (call) => handle(call, (call.request.params as { cast: string }).cast, false)),
    );
    app.get(
      `/v1.0/groups/:id/${nav}/:cast/$count`,
      graphRoute(ctx, `${endpoint}.count`, (call) => handle(call, (call.request.params as { cast: string }).cast, true)),
    );
  }
}
