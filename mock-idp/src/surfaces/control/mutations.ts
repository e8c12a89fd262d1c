import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { MAX_MUTATIONS, type MutationSpec } from '../../runtime/mutations.js';
import { keysFor, mutationSpecIssues } from '../../tokens/mutations.js';
import { ControlError, jsonBody, scopedTenant } from './control-reply.js';
import type { TenantParams } from './tenant-scope.js';

/**
 * "Broken on purpose": per-tenant mutations of tokens and documents (queue: runtime/mutations.ts,
 * catalog: tokens/mutations.ts), in the tenant scope of the test-control API (tenant-scope.ts,
 * prefix /_mock/tenants/:id):
 *
 *   POST   /_mock/tenants/:id/mutations                queue one → 201 with its id and counters
 *   GET    /_mock/tenants/:id/mutations                {"mutations":[…]} with applied/remaining
 *   DELETE /_mock/tenants/:id/mutations                remove all (and the keys they hold back)
 *   DELETE /_mock/tenants/:id/mutations/:mutationId    remove one
 *
 * Body of POST, e.g.
 *   {"target":"id_token","kind":"iss-near-miss"}
 *   {"target":"access_token","kind":"aud-array","count":3,"clientId":"…","value":"api://other"}
 *   {"target":"jwks","kind":"server-error","status":503,"count":2}
 * A refusal lists the targets, or the kinds the target takes. Registered inside the control
 * plugin, so the loopback-only rule applies.
 */

export function registerMutationRoutes(scope: FastifyInstance, ctx: MockContext): void {
  scope.post('/mutations', async (request, reply) => {
    const t = scopedTenant(request);
    const body = jsonBody(request.body);
    const issues = mutationSpecIssues(body);
    if (issues.length > 0) throw new ControlError(400, 'InvalidMutation', issues.join(' '), issues);
    const spec = { ...(body as MutationSpec) };
    if (spec.kind === 'jwks-uri-other-tenant' && spec.tenantId === undefined) {
      const other = ctx.tenants.all().find((x) => x !== t);
      if (!other) throw new ControlError(400, 'InvalidMutation', "jwks-uri-other-tenant needs another tenant: create one, or name it with 'tenantId'.");
      spec.tenantId = other.id;
    }
    // Counted before any key is made: a full queue costs no RSA key generation.
    if (t.mutations.list().length >= MAX_MUTATIONS)
      throw new ControlError(409, 'Conflict', `A tenant holds at most ${MAX_MUTATIONS} mutations; DELETE some first.`);
    const keys = await keysFor(spec);
    try {
      return reply.code(201).send(t.mutations.add(spec, keys));
    } catch (e) {
      if (e instanceof RangeError) throw new ControlError(409, 'Conflict', e.message);
      throw e;
    }
  });

  scope.get('/mutations', async (request) => ({ mutations: scopedTenant(request).mutations.list() }));

  scope.delete('/mutations', async (request, reply) => {
    const t = scopedTenant(request);
    t.mutations.clear();
    t.cache.clear();
    return reply.code(204).send();
  });

  scope.delete<{ Params: TenantParams & { mutationId: string } }>('/mutations/:mutationId', async (request, reply) => {
    const t = scopedTenant(request);
    const id = request.params.mutationId;
    if (!t.mutations.remove(id)) throw new ControlError(404, 'NotFound', `No mutation ${id.slice(0, 100)} in tenant ${t.id}.`);
    return reply.code(204).send();
  });
}
