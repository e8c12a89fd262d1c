import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../context.js';
import { GRAPH_ERRORS, graphError, requestIds } from '../errors/graph-error.js';
import { handOff } from './batch-handoff.js';
import type { GraphCaller } from './graph-caller.js';
import { GraphFailure } from './graph-failure.js';
import type { PermissionRule } from './permissions.js';

/**
 * How a Microsoft Graph v1.0 route is declared and answers. A route names its endpoint (for the
 * request log) and, when it does not depend on the object asked for, the permission it needs;
 * the Graph surface's preHandlers (graph-hooks.ts) then verify the bearer token, apply the
 * tenant's faults and check that permission before the handler runs, and its error handler
 * writes any GraphFailure thrown below in Graph's error shape.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A Graph route's name in the request log (`graph.{name}`). */
    graphEndpoint?: string;
    /** What a Graph route requires of every caller, checked before its handler. */
    graphPermission?: PermissionRule;
  }
  interface FastifyRequest {
    /** On Graph routes: the verified caller (set by the token preHandler, graph-hooks.ts). */
    graphCaller: GraphCaller | null;
  }
}

/** One Graph request as a handler sees it: the caller is verified by then. */
export interface GraphCall<Params = unknown> {
  ctx: MockContext;
  request: FastifyRequest<{ Params: Params }>;
  reply: FastifyReply;
  caller: GraphCaller;
}

export type GraphHandler<Params> = (call: GraphCall<Params>) => FastifyReply | Promise<FastifyReply>;

/**
 * A Graph route's options: its endpoint name, the permission every caller needs (if it does not
 * depend on the object asked for), and the handler. Use with the route's generics:
 * `app.get<{ Params: { id: string } }>('/groups/:id', graphRoute(ctx, 'groups.get', (call) => …))`.
 */
export function graphRoute<Params = unknown>(ctx: MockContext, endpoint: string, handler: GraphHandler<Params>, permission?: PermissionRule) {
  return {
    config: permission ? { graphEndpoint: endpoint, graphPermission: permission } : { graphEndpoint: endpoint },
    handler: async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<FastifyReply> =>
      handler({ ctx, request, reply, caller: request.graphCaller! }),
  };
}

/** Graph's real content type for JSON answers. */
export const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

function commonHeaders(request: FastifyRequest): Record<string, string> {
  const ids = requestIds(request);
  return {
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
    'odata-version': '4.0',
    'cache-control': 'no-cache',
    'strict-transport-security': 'max-age=31536000',
    // Graph answers carry their data center; the mock names itself (docs/entra-wire.md §8.3).
    'x-ms-ags-diagnostic': '{"ServerInfo":{"DataCenter":"mock-entra","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"mock-entra"}}',
    'x-ms-resource-unit': '1',
  };
}

/** A JSON body (already serialized: text, or its UTF-8 bytes) with Graph's headers. */
export function sendJson(call: GraphCall, body: string | Buffer, status = 200): FastifyReply {
  const reply = call.reply.code(status).headers({ ...commonHeaders(call.request), 'content-type': ODATA_JSON });
  // A $batch item hands its text to the batch directly (batch-handoff.ts).
  return reply.send(typeof body === 'string' && handOff(call.request, body) ? '' : body);
}

/** A `$count` answer: the number as text/plain (Doc: user-list-transitivememberof, Example 2). */
export function sendCount(call: GraphCall, n: number): FastifyReply {
  return call.reply
    .code(200)
    .headers({ ...commonHeaders(call.request), 'content-type': 'text/plain' })
    .send(String(n));
}

/**
 * A media stream (a photo's `$value`): its bytes with their content type and ETag, cached
 * privately, as in the photo example of Graph's docs (profilephoto-get: `Cache-Control: private`,
 * `ETag: "A19A6498"`); no OData headers on a stream.
 */
export function sendMedia(call: GraphCall, bytes: Buffer, contentType: string, etag: string): FastifyReply {
  const { 'odata-version': _odata, ...headers } = commonHeaders(call.request);
  return call.reply
    .code(200)
    .headers({ ...headers, 'cache-control': 'private', 'content-type': contentType, etag })
    .send(bytes);
}

/** Throws Graph's 403 unless `ok` (for permissions that depend on the object: oneself or not). */
export function demand(ok: boolean): void {
  if (!ok) throw new GraphFailure(GRAPH_ERRORS.forbidden);
}

export const notFound = (id: string): GraphFailure => new GraphFailure(graphError(GRAPH_ERRORS.notFound, { id }));
