import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveGroupsDelta } from '../../graph/group-delta.js';
import { graphRoute } from '../../graph/graph-route.js';
import { PERMISSIONS } from '../../graph/permissions.js';

/**
 * GET /v1.0/groups/delta, also spelled `delta()` and `microsoft.graph.delta` as SDKs do: the
 * delta query of groups (graph/group-delta.ts). Permissions: the group-reading ones.
 * https://learn.microsoft.com/graph/api/group-delta
 */
const PATHS = ['/groups/delta', '/groups/delta()', '/groups/microsoft.graph.delta', '/groups/microsoft.graph.delta()'];

export function registerDeltaRoutes(app: FastifyInstance, ctx: MockContext): void {
  const route = graphRoute(ctx, 'groups.delta', serveGroupsDelta, PERMISSIONS.groups);
  for (const p of PATHS) app.get(p, route);
}
