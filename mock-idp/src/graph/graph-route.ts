import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { MockContext } from '../context.js';
import { GRAPH_ERRORS, graphError, requestIds, sendGraphError, type GraphErrorSpec } from '../errors/graph-error.js';
import type { GraphCaller } from '../surfaces/graph/graph-token.js';
import { authenticate } from './graph-auth.js';
import type { FaultOutcome } from '../runtime/faults.js';
import { GraphFailure } from './graph-failure.js';
import { rawPath } from './query-options.js';

/**
 * The way every Microsoft Graph v1.0 route runs: name the endpoint for the request log,
 * authenticate the bearer token like Graph (the request is attributed to the token's tenant),
 * apply the faults the test set for that tenant (latency, 429, 5xx), then the handler. Any
 * GraphFailure thrown below is written in Graph's error shape with its code in the log.
 */
export interface GraphCall {
  ctx: MockContext;
  request: FastifyRequest;
  reply: FastifyReply;
  caller: GraphCaller;
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

/** A JSON body (already serialized) with Graph's headers. */
export function sendJson(call: GraphCall, body: string, status = 200): FastifyReply {
  return call.reply
    .code(status)
    .headers({ ...commonHeaders(call.request), 'content-type': ODATA_JSON })
    .send(body);
}

/** A `$count` answer: the number as text/plain (Doc: user-list-transitivememberof, Example 2). */
export function sendCount(call: GraphCall, n: number): FastifyReply {
  return call.reply
    .code(200)
    .headers({ ...commonHeaders(call.request), 'content-type': 'text/plain' })
    .send(String(n));
}

const FAULT_SPECS: Record<number, GraphErrorSpec> = {
  429: GRAPH_ERRORS.throttled,
  500: GRAPH_ERRORS.internalError,
  502: GRAPH_ERRORS.badGateway,
  503: GRAPH_ERRORS.serviceNotAvailable,
  504: GRAPH_ERRORS.gatewayTimeout,
};

function faultFailure(f: NonNullable<FaultOutcome['failure']>): GraphFailure {
  const base = FAULT_SPECS[f.status] ?? GRAPH_ERRORS.internalError;
  const spec = { status: f.status, code: f.code ?? base.code, message: f.message ?? base.message };
  return new GraphFailure(spec, f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {});
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wraps a Graph handler: endpoint name, authentication, faults, errors. */
export function graphRoute(ctx: MockContext, endpoint: string, handler: (call: GraphCall) => FastifyReply | Promise<FastifyReply>): RouteHandlerMethod {
  return async (request, reply) => {
    request.notes.endpoint = `graph.${endpoint}`;
    const auth = authenticate(ctx, request);
    if (!auth.ok) return sendGraphError(request, reply, auth.error, request.notes.tenant?.now() ?? Date.now());
    const call: GraphCall = { ctx, request, reply, caller: auth.caller };
    const tenant = auth.caller.tenant;
    try {
      const fault = tenant.faults.take(request.method, rawPath(request));
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.failure) throw faultFailure(fault.failure);
      return await handler(call);
    } catch (e) {
      if (e instanceof GraphFailure) return sendGraphError(request, reply, e.spec, tenant.now(), e.headers);
      request.log.error({ err: e }, 'unexpected error in a Graph route');
      return sendGraphError(request, reply, GRAPH_ERRORS.internalError, tenant.now());
    }
  };
}

/** Throws Graph's 403 unless `ok`. */
export function demand(ok: boolean): void {
  if (!ok) throw new GraphFailure(GRAPH_ERRORS.forbidden);
}

export const notFound = (id: string): GraphFailure => new GraphFailure(graphError(GRAPH_ERRORS.notFound, { id }));
