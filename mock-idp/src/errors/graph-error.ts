import type { FastifyReply, FastifyRequest } from 'fastify';
import { isGuid, newGuid } from '../support/ids.js';

/**
 * Microsoft Graph's error answers (reference §8.3): `{"error":{"code","message","innerError":
 * {"date","request-id","client-request-id"}}}`, with `request-id` / `client-request-id` headers.
 * The Graph counterpart of errors/render.ts; every Graph refusal goes through here.
 */
export interface GraphErrorSpec {
  status: number;
  code: string;
  message: string;
}

export const GRAPH_ERRORS = {
  noToken: { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token is empty.' },
  malformedToken: { status: 401, code: 'InvalidAuthenticationToken', message: 'CompactToken parsing failed with error code: 80049217' },
  invalidToken: { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' },
  // UNCONFIRMED exact text for a token of another audience (reference §7).
  wrongAudience: { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' },
  expiredToken: { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' },
  forbidden: { status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
  meAppOnly: { status: 400, code: 'BadRequest', message: '/me request is only valid with delegated authentication flow.' },
} as const satisfies Record<string, GraphErrorSpec>;

/** `innerError.date`: ISO without fractional seconds and without `Z` (as Graph serves it). */
const graphDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');

export function requestIds(request: FastifyRequest): { requestId: string; clientRequestId: string } {
  const requestId = newGuid();
  const sent = request.headers['client-request-id'];
  return { requestId, clientRequestId: typeof sent === 'string' && isGuid(sent) ? sent : requestId };
}

export function sendGraphError(request: FastifyRequest, reply: FastifyReply, spec: GraphErrorSpec, now = Date.now()): FastifyReply {
  const ids = requestIds(request);
  request.notes.error = spec.code;
  reply.code(spec.status).headers({
    'content-type': 'application/json',
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
    'strict-transport-security': 'max-age=31536000',
  });
  if (spec.status === 401) {
    reply.header(
      'www-authenticate',
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    );
  }
  return reply.send(
    JSON.stringify({ error: { code: spec.code, message: spec.message, innerError: { date: graphDate(now), 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId } } }),
  );
}
