import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';

/**
 * The test-control API's own answers, shaped like nothing Entra serves:
 * `{"error":{"code","message"[,"issues"]}}`. A route refuses by throwing a {@link ControlError};
 * the control plugin's error handler (index.ts) writes it with {@link sendControlError}.
 */

/** A refusal of the test-control API: its status, a stable code, a message saying what to send instead. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: unknown,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export function sendControlError(reply: FastifyReply, status: number, code: string, message: string, issues?: unknown): FastifyReply {
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

/** A field of a JSON object body (`{"seconds": 60}`), or undefined: no JSON body, not an object, no such field of its own. */
export function jsonField(body: unknown, name: string): unknown {
  const json = jsonBody(body);
  return typeof json === 'object' && json !== null && Object.hasOwn(json, name) ? (json as Record<string, unknown>)[name] : undefined;
}

/**
 * The tenant of a route under /_mock/tenants/:id, found by the tenant scope's preHandler
 * (tenant-scope.ts) before the route runs; a route outside that scope asking for one is a bug.
 */
export function scopedTenant(request: FastifyRequest): TenantRuntime {
  const t = request.notes.tenant;
  if (t === undefined) throw new Error('a test-control route asked for its tenant outside the /tenants/:id scope');
  return t;
}
