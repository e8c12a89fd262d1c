import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveCollection } from '../../graph/collection.js';
import { castSet, SERVICE_PRINCIPALS, USERS, type EntitySet } from '../../graph/entity-sets.js';
import { graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { findGroup } from '../../graph/lookup.js';
import { PERMISSIONS } from '../../graph/permissions.js';

/**
 * A group's owners: GET /v1.0/groups/{id}/owners, its casts (/microsoft.graph.user…) and `$count`
 * — users and service principals, from the fixture's `owners`.
 * https://learn.microsoft.com/graph/api/group-list-owners
 * Permissions: GroupMember.Read.All, Group.Read.All, Directory.Read.All (as for members). Owners
 * the caller may not read come back with their type and id only, as members do.
 */

const OWNER_SETS: readonly EntitySet[] = [USERS, SERVICE_PRINCIPALS];

interface OwnersParams {
  id: string;
  cast?: string;
}

export function registerOwnerRoutes(app: FastifyInstance, ctx: MockContext): void {
  const handle = (call: GraphCall<OwnersParams>, countOnly: boolean) => {
    const { id: ref, cast } = call.request.params;
    const target = findGroup(call, ref);
    if (!target) throw notFound(ref);
    let set: EntitySet | undefined;
    if (cast !== undefined) {
      if (cast.toLowerCase() === '$count') countOnly = true;
      else set = castSet(cast);
    }
    return serveCollection(call, {
      entitySet: set ? set.name : 'directoryObjects',
      sets: set ? [set] : OWNER_SETS,
      typed: !set,
      reference: true,
      ids: (ix) => {
        const owners = [...new Set((target.object.owners ?? []).map((o) => o.toLowerCase()))].filter((o) => {
          const s = ix.setOf(o);
          return s !== undefined && OWNER_SETS.includes(s) && (!set || s === set);
        });
        return owners.sort();
      },
      key: `groups/${target.id}/owners/${set?.kind ?? '*'}`,
      countOnly,
    });
  };
  const rule = PERMISSIONS.groupRelations;
  app.get<{ Params: OwnersParams }>(
    '/groups/:id/owners',
    graphRoute<OwnersParams>(ctx, 'groups.owners', (call) => handle(call, false), rule),
  );
  app.get<{ Params: OwnersParams }>(
    '/groups/:id/owners/$count',
    graphRoute<OwnersParams>(ctx, 'groups.owners.count', (call) => handle(call, true), rule),
  );
  app.get<{ Params: OwnersParams }>(
    '/groups/:id/owners/:cast',
    graphRoute<OwnersParams>(ctx, 'groups.owners', (call) => handle(call, false), rule),
  );
}
