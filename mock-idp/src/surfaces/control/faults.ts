import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { faultSpecIssues, type GraphFaultSpec } from '../../runtime/faults.js';
import { fail, tenant } from './control-reply.js';

/**
 * Graph faults, per tenant (state: runtime/faults.ts), under the test-control API's prefix:
 *
 *   POST   /_mock/tenants/:id/graph/faults             add one → 201 with its id and counters
 *   GET    /_mock/tenants/:id/graph/faults             {"faults":[…]} with matched/applied/remaining
 *   DELETE /_mock/tenants/:id/graph/faults             remove all
 *   DELETE /_mock/tenants/:id/graph/faults/:faultId    remove one
 *
 * Body of POST (runtime/faults.ts GraphFaultSpec), e.g.
 *   {"status":429,"retryAfterSeconds":2,"count":3,"path":"/v1.0/groups*"}
 *   {"status":503,"rate":0.3,"seed":42,"limit":10}
 *   {"latencyMs":250,"path":"/v1.0/users*"}
 * `path` (a glob) and `pathRegex` (RE2 syntax) are at most 500 characters and match in time linear
 * in the path (runtime/path-glob.ts, runtime/faults.ts): a test's pattern cannot stall the server.
 * Registered inside the control plugin, so the loopback-only rule applies.
 */
export function registerFaultRoutes(control: FastifyInstance, ctx: MockContext): void {
  control.post('/tenants/:id/graph/faults', async (request, reply) => {
    const t = tenant(ctx, request, reply);
    if (!t) return reply;
    const body = request.body as { json?: unknown } | undefined;
    const spec = body && 'json' in body ? body.json : undefined;
    const issues = faultSpecIssues(spec);
    if (issues.length > 0) return fail(reply, 400, 'InvalidFault', issues.join(' '), issues);
    try {
      return reply.code(201).send(t.faults.add(spec as GraphFaultSpec));
    } catch (e) {
      if (e instanceof RangeError) return fail(reply, 409, 'Conflict', e.message);
      throw e;
    }
  });

  control.get('/tenants/:id/graph/faults', async (request, reply) => {
    const t = tenant(ctx, request, reply);
    return t ? { faults: t.faults.list() } : reply;
  });

  control.delete('/tenants/:id/graph/faults', async (request, reply) => {
    const t = tenant(ctx, request, reply);
    if (!t) return reply;
    t.faults.clear();
    return reply.code(204).send();
  });

  control.delete('/tenants/:id/graph/faults/:faultId', async (request, reply) => {
    const t = tenant(ctx, request, reply);
    if (!t) return reply;
    const id = (request.params as { faultId: string }).faultId;
    if (!t.faults.remove(id)) return fail(reply, 404, 'NotFound', `No fault ${id} in tenant ${t.id}.`);
    return reply.code(204).send();
  });
}
