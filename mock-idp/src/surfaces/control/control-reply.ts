import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';

/** The test-control API's own answers (shaped like nothing Entra serves), shared by its route files. */
export function fail(reply: FastifyReply, status: number, code: string, message: string, issues?: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ error: { code, message, ...(issues ? { issues } : {}) } }));
}

/** The parsed JSON body (see app.ts content-type parsers), or undefined. */
export function jsonBody(body: unknown): unknown {
  if (typeof body === 'object' && body !== null && 'json' in body) return (body as { json: unknown }).json;
  return undefined;
}

/** The tenant named by `:id` (GUID or verified domain), attributed to the request; 404 otherwise. */
export function tenant(ctx: MockContext, request: FastifyRequest, reply: FastifyReply): TenantRuntime | undefined {
  const id = (request.params as { id: string }).id;
  const t = ctx.tenants.get(id) ?? ctx.tenants.byDomainName(id);
  if (!t) {
    fail(reply, 404, 'NotFound', `No tenant ${id}.`);
    return undefined;
  }
  request.notes.tenant = t;
  return t;
}
