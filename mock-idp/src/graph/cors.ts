import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { GRAPH_CORS_HEADERS } from '../errors/graph-error.js';

/**
 * Cross-origin access to Microsoft Graph, for single-page apps that call it with `fetch` and an
 * `Authorization` header (Microsoft's SPA samples call /v1.0/me that way; docs/entra-wire.md §12).
 * Such a call makes the browser send a preflight (OPTIONS with Access-Control-Request-Method and
 * -Headers) first, without the token: Graph answers it before any token check, and marks every
 * answer — errors included, or a page could not read why a call failed — readable by any origin.
 *
 * Only the Graph surface (/v1.0, /oidc/userinfo) registers this hook; the test-control API
 * (/_mock) never answers cross-origin reads (surfaces/control/control-guard.ts).
 */

/**
 * The preflight's own headers. UNCONFIRMED (no capture of Graph's preflight answer found): the
 * methods Graph's API takes, the request headers echoed as asked (Graph accepts the SDKs'
 * SdkVersion, client-request-id, ConsistencyLevel, Prefer… alike: msgraph-sdk-javascript #109
 * was a OneDrive download host, not Graph), and an hour's cache.
 */
const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-max-age': '3600',
} as const;

/** A header list as browsers send it (`authorization,client-request-id`), bounded: anything else is not echoed. */
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;
const MAX_HEADER_LIST = 1024;

/**
 * The Graph surface's first hook: CORS headers on every answer (set here, before anything can
 * fail, so the error handler's answers carry them too), and the preflight answered at once,
 * 200 with no body, before the token check that would otherwise refuse it with 401.
 */
export function graphCors(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  reply.headers(GRAPH_CORS_HEADERS);
  const asked = request.headers['access-control-request-method'];
  if (request.method !== 'OPTIONS' || typeof asked !== 'string') return done();
  request.notes.endpoint = 'graph.preflight';
  const headers = request.headers['access-control-request-headers'];
  reply.code(200).headers(PREFLIGHT_HEADERS);
  if (typeof headers === 'string' && headers.length <= MAX_HEADER_LIST && HEADER_LIST.test(headers)) reply.header('access-control-allow-headers', headers);
  reply.send();
}
