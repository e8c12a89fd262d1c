import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveCollection, serveEntity } from '../../graph/collection.js';
import { demand, graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { findGroup } from '../../graph/lookup.js';
import { allowed, PERMISSIONS } from '../../graph/permissions.js';

/**
 * Groups: GET /v1.0/groups, /v1.0/groups/$count, /v1.0/groups/{id}.
 * https://learn.microsoft.com/graph/api/group-list · https://learn.microsoft.com/graph/api/group-get
 * Permissions: GroupMember.Read.All, Group.Read.All, Directory.Read.All (and the ReadWrite
 * variants), delegated or application. Page size 100 by default, 999 at most; no $skip.
 */
export function registerGroupRoutes(app: FastifyInstance, ctx: MockContext): void {
  const listGroups = (call: GraphCall, countOnly: boolean) => {
    demand(allowed(call.caller, PERMISSIONS.groups));
    return serveCollection(call, {
      entitySet: 'groups',
      kinds: ['group'],
      typed: false,
      reference: false,
      ids: (ix) => ix.groupIds(),
      key: 'groups',
      orderable: ['displayName'],
      countOnly,
    });
  };
  app.get(
    '/v1.0/groups',
    graphRoute(ctx, 'groups', (call) => listGroups(call, false)),
  );
  app.get(
    '/v1.0/groups/$count',
    graphRoute(ctx, 'groups.count', (call) => listGroups(call, true)),
  );

  app.get(
    '/v1.0/groups/:id',
    graphRoute(ctx, 'groups.get', (call) => {
      const ref = (call.request.params as { id: string }).id;
      if (ref.toLowerCase() === '$count') return listGroups(call, true);
      demand(allowed(call.caller, PERMISSIONS.groups));
      const target = findGroup(call, ref);
      if (!target) throw notFound(ref);
      return serveEntity(call, 'groups', 'group', target.id);
    }),
  );
}
