import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveGroupsDelta } from '../../graph/group-delta.js';
import { serveUsersDelta } from '../../graph/user-delta.js';
import { graphRoute } from '../../graph/graph-route.js';
import { PERMISSIONS } from '../../graph/permissions.js';

/**
 * GET /v1.0/groups/delta and /v1.0/users/delta, also spelled `delta()` and
 * `microsoft.graph.delta` as SDKs do: the delta queries (graph/group-delta.ts,
 * graph/user-delta.ts). Permissions: the group-reading ones, the user-listing ones.
 * https://learn.microsoft.com/graph/api/group-delta · https://learn.microsoft.com/graph/api/user-delta
 */
const SPELLINGS = ['delta', 'delta()', 'microsoft.graph.delta', 'microsoft.graph.delta()'];

export function registerDeltaRoutes(app: FastifyInstance, ctx: MockContext): void {
  const groups = graphRoute(ctx, 'groups.delta', serveGroupsDelta, PERMISSIONS.groups);
  const users = graphRoute(ctx, 'users.delta', serveUsersDelta, PERMISSIONS.listUsers);
  for (const p of SPELLINGS) {
    app.get(`/groups/${p}`, groups);
    app.get(`/users/${p}`, users);
  }
}
