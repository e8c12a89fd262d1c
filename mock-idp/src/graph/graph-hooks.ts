import type { FastifyError, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { MockContext } from '../context.js';
import { GRAPH_ERRORS, sendGraphError, type GraphErrorSpec } from '../errors/graph-error.js';
import type { FaultOutcome } from '../runtime/faults.js';
import { verifyGraphCaller } from './graph-caller.js';
import { GraphFailure } from './graph-failure.js';
import { allowed } from './permissions.js';
import { rawPath } from './query-options.js';

/**
 * The Graph surface's handlers around its routes, in Fastify's lifecycle (callback form: no
 * promise per request on the paging hot path):
 *   preHandlers — name the endpoint for the request log, verify the bearer token like Graph
 *   (graph-caller.ts; the request is attributed to the token's tenant), apply the faults the test
 *   set for that tenant (latency, 429, 5xx: runtime/faults.ts), check the route's permission;
 *   the error handler — every failure in Graph's error shape: a GraphFailure as it says, Fastify's
 *   own refusals (a body over the limit, a bad content length) as Graph's 413/400, anything else
 *   logged and answered as Graph's 500;
 *   the not-found handler — Graph's 405 for what no route takes under Graph's prefixes.
 */

/** The route's name in the request log (graphRoute's `endpoint`), before anything can fail. */
export function nameGraphEndpoint(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  request.notes.endpoint = `graph.${request.routeOptions.config.graphEndpoint ?? 'unknown'}`;
  done();
}

/** The preHandler that lets only a verified caller through (`request.graphCaller`), else Graph's 401. */
export function requireGraphCaller(ctx: MockContext) {
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const check = verifyGraphCaller(ctx, request);
    if (!check.ok) return done(new GraphFailure(check.error));
    request.graphCaller = check.caller;
    done();
  };
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

/** The caller's tenant's faults for this call: the latency first, then the failure (if any). */
export function applyGraphFaults(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const fault = request.graphCaller!.tenant.faults.take(request.method, rawPath(request));
  const failure = fault.failure ? faultFailure(fault.failure) : undefined;
  if (fault.latencyMs > 0) setTimeout(() => done(failure), fault.latencyMs);
  else done(failure);
}

/** The route's own permission (graphRoute's `permission`), when it does not depend on the object asked for. */
export function checkGraphPermission(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const rule = request.routeOptions.config.graphPermission;
  done(rule && !allowed(request.graphCaller!, rule) ? new GraphFailure(GRAPH_ERRORS.forbidden) : undefined);
}

/** Every failure on the Graph surface, in Graph's error shape. */
export function graphErrorHandler(error: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // The date in the body follows the tenant's clock once the token named a tenant.
  const now = request.notes.tenant?.now() ?? Date.now();
  if (error instanceof GraphFailure) return sendGraphError(request, reply, error.spec, now, error.headers);
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status < 500) return sendGraphError(request, reply, status === 413 ? GRAPH_ERRORS.requestTooLarge : GRAPH_ERRORS.requestNotValid);
  request.log.error({ err: error }, 'unexpected error in a Graph route');
  return sendGraphError(request, reply, GRAPH_ERRORS.internalError, now);
}

/** What Graph answers for a method its target does not take (and, in the mock, a path under Graph's prefixes no route takes). */
export function graphMethodNotAllowed(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendGraphError(request, reply, GRAPH_ERRORS.methodNotAllowed);
}
