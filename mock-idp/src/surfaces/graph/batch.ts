import type { FastifyPluginCallback } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveBatch } from '../../graph/batch.js';
import { checkGraphPermission, nameGraphEndpoint, requireGraphCaller } from '../../graph/graph-hooks.js';
import { graphRoute } from '../../graph/graph-route.js';

/**
 * POST /v1.0/$batch (graph/batch.ts). Its own plugin beside the other v1.0 routes: it has the
 * token check (the items reuse the batch's token) but not the tenant's faults, which apply to
 * each item as to a direct call — so a fault set for "every Graph call" throttles items, and the
 * batch still answers 200 (https://learn.microsoft.com/graph/throttling, "Throttling and batching").
 */
export function graphBatch(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.addHook('preHandler', nameGraphEndpoint);
    app.addHook('preHandler', requireGraphCaller(ctx));
    app.addHook('preHandler', checkGraphPermission);
    app.post('/$batch', graphRoute(ctx, 'batch', serveBatch));
    done();
  };
}
