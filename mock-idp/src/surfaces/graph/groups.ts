import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveCollection, serveEntity } from '../../graph/collection.js';
import { GROUPS } from '../../graph/entity-sets.js';
import { graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { findGroup } from '../../graph/lookup.js';
import { PERMISSIONS } from '../../graph/permissions.js';

/**
 * Groups: GET /v1.0/groups, /v1.0/groups/$count, /v1.0/groups/{id}.
 * https://learn.microsoft.com/graph/api/group-list · https://learn.microsoft.com/graph/api/group-get
 * Permissions: GroupMember.Read.All, Group.Read.All, Directory.Read.All (and the ReadWrite
 * variants), delegated or application. Page size 100 by default, 999 at most; no $skip.
 */
export function registerGroupRoutes(app: FastifyInstance, ctx: MockContext): void {
  const listGroups = (call: GraphCall, countOnly: boolean) =>
    serveCollection(call, {
      entitySet: GROUPS.name,
      sets: [GROUPS],
      typed: false,
      reference: false,
      ids: (ix) => ix.idsOf(GROUPS),
      key: 'groups',
      orderable: ['displayName'],
      countOnly,
    });
  app.get(
    '/groups',
    graphRoute(ctx, 'groups', (call) => listGroups(call, false), PERMISSIONS.groups),
  );
  app.get(
    '/groups/$count',
    graphRoute(ctx, 'groups.count', (call) => listGroups(call, true), PERMISSIONS.groups),
  );

  app.get<{ Params: { id: string } }>(
    '/groups/:id',
    graphRoute<{ id: string }>(
      ctx,
      'groups.get',
      (call) => {
        const ref = call.request.params.id;
        // `%24count` reaches here rather than the static route.
        if (ref.toLowerCase() === '$count') return listGroups(call, true);
        const target = findGroup(call, ref);
        if (!target) throw notFound(ref);
        return serveEntity(call, GROUPS, target.id);
      },
      PERMISSIONS.groups,
    ),
  );
}
