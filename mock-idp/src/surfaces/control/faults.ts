import type { FastifyInstance } from 'fastify';
import { entraFaultSpecIssues, type EntraFaultSpec } from '../../runtime/entra-faults.js';
import { faultSpecIssues, type GraphFaultSpec } from '../../runtime/faults.js';
import { ControlError, jsonBody, scopedTenant } from './control-reply.js';
import type { TenantParams } from './tenant-scope.js';

/**
 * Graph and Entra faults, per tenant (state: runtime/faults.ts, runtime/entra-faults.ts), in the tenant scope of the test-control
 * API (tenant-scope.ts, prefix /_mock/tenants/:id):
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
 *
 * Entra faults (runtime/entra-faults.ts), the same way under /entra/faults: the token endpoint,
 * authorize, devicecode, discovery and keys fail in Entra's shapes, e.g.
 *   {"answer":"throttled","grantType":"client_credentials","count":2}      429, Retry-After: 60, "Too Many Requests"
 *   {"answer":"request_loop","endpoint":"token","grantType":"refresh_token"} invalid_grant AADSTS50196
 *   {"answer":"temporarily_unavailable","rate":0.5,"seed":7,"limit":4}       503 temporarily_unavailable AADSTS90033
 *   {"answer":"server_error","endpoint":"keys","count":1}                     500 server_error AADSTS50000
 *   {"latencyMs":300,"endpoint":"discovery"}
 * Registered inside the control plugin, so the loopback-only rule applies.
 */

export function registerFaultRoutes(scope: FastifyInstance): void {
  scope.post('/graph/faults', async (request, reply) => {
    const t = scopedTenant(request);
    const spec = jsonBody(request.body);
    const issues = faultSpecIssues(spec);
    if (issues.length > 0) throw new ControlError(400, 'InvalidFault', issues.join(' '), issues);
    try {
      return reply.code(201).send(t.faults.add(spec as GraphFaultSpec));
    } catch (e) {
      if (e instanceof RangeError) throw new ControlError(409, 'Conflict', e.message);
      throw e;
    }
  });

  scope.get('/graph/faults', async (request) => ({ faults: scopedTenant(request).faults.list() }));

  scope.delete('/graph/faults', async (request, reply) => {
    scopedTenant(request).faults.clear();
    return reply.code(204).send();
  });

  scope.delete<{ Params: TenantParams & { faultId: string } }>('/graph/faults/:faultId', async (request, reply) => {
    const t = scopedTenant(request);
    const id = request.params.faultId;
    if (!t.faults.remove(id)) throw new ControlError(404, 'NotFound', `No fault ${id} in tenant ${t.id}.`);
    return reply.code(204).send();
  });

  scope.post('/entra/faults', async (request, reply) => {
    const t = scopedTenant(request);
    const spec = jsonBody(request.body);
    const issues = entraFaultSpecIssues(spec);
    if (issues.length > 0) throw new ControlError(400, 'InvalidFault', issues.join(' '), issues);
    try {
      return reply.code(201).send(t.entraFaults.add(spec as EntraFaultSpec));
    } catch (e) {
      if (e instanceof RangeError) throw new ControlError(409, 'Conflict', e.message);
      throw e;
    }
  });

  scope.get('/entra/faults', async (request) => ({ faults: scopedTenant(request).entraFaults.list() }));

  scope.delete('/entra/faults', async (request, reply) => {
    scopedTenant(request).entraFaults.clear();
    return reply.code(204).send();
  });

  scope.delete<{ Params: TenantParams & { faultId: string } }>('/entra/faults/:faultId', async (request, reply) => {
    const t = scopedTenant(request);
    const id = request.params.faultId;
    if (!t.entraFaults.remove(id)) throw new ControlError(404, 'NotFound', `No Entra fault ${id} in tenant ${t.id}.`);
    return reply.code(204).send();
  });
}
