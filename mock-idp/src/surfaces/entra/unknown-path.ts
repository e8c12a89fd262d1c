import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { EntraError } from '../../errors/entra-error.js';
import { looksLikeTenantSegment, resolveTenantSegment } from '../../protocol/tenant-segment.js';
import { sendNotFound } from '../../views/not-found.js';
import { handleEntraError } from './error-answer.js';

/**
 * The Entra surface's not-found handler. A path under a `{tenant}` segment is Entra's, and its
 * clients parse JSON: an unknown tenant is AADSTS90002 (900023 malformed) as discovery answers
 * it, an unknown endpoint or method under a known tenant AADSTS90056 with HTTP 404, both in the
 * token endpoint's JSON (UNCONFIRMED: docs/entra-wire.md §5.1 is the shape of Entra's JSON
 * refusals; no capture shows an unknown path). Anything else — `/`, `/favicon.ico`, a first
 * segment that cannot be a tenant — gets the plain 404 page, as a browser would see on Entra's host.
 */
export function answerUnknownPath(ctx: MockContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? '';
  const segments = path.split('/').filter(Boolean);
  const first = segments[0];
  if (first === undefined || segments.length < 2 || !looksLikeTenantSegment(first)) return sendNotFound(reply, request.method, request.url);
  request.notes.endpoint = 'unknown';
  try {
    const seg = resolveTenantSegment(ctx.tenants, first);
    if (seg.kind === 'tenant') request.notes.tenant = seg.tenant;
    throw new EntraError(90056, { path: path.slice(0, 300) });
  } catch (error) {
    return handleEntraError(ctx, error as Error, request, reply);
  }
}
