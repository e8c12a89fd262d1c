import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { errorContext, type MockContext } from '../../context.js';
import { EntraError } from '../../errors/entra-error.js';
import { sendServerError } from '../../errors/render.js';
import type { EntraFaultEndpoint, EntraFaultOutcome } from '../../runtime/entra-faults.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { resolveTenantSegment } from '../../protocol/tenant-segment.js';
import { answerErrorsWith, PAGE_ANSWER } from './error-answer.js';

/**
 * The Entra surface's faults preHandler: the faults a test set for a tenant
 * (runtime/entra-faults.ts) on the token endpoint, authorize, the device authorization
 * endpoint, discovery and the keys — latency first, then the failure in Entra's shape. The tenant
 * is the one the path names, or on /common and /organizations the client's home tenant (as
 * protocol/client-app.ts resolves it), so a parallel test in another tenant is never touched.
 * Runs after the body is parsed (grant_type and client_id are read from it) and before the route.
 */

/** The Entra routes faults apply to, by their route pattern. */
const ENDPOINTS: Readonly<Record<string, EntraFaultEndpoint>> = {
  '/:tenant/oauth2/v2.0/token': 'token',
  '/:tenant/oauth2/token': 'token',
  '/:tenant/oauth2/v2.0/authorize': 'authorize',
  '/:tenant/oauth2/authorize': 'authorize',
  '/:tenant/oauth2/v2.0/devicecode': 'devicecode',
  '/:tenant/oauth2/devicecode': 'devicecode',
  '/:tenant/v2.0/.well-known/openid-configuration': 'discovery',
  '/:tenant/.well-known/openid-configuration': 'discovery',
  '/:tenant/discovery/v2.0/keys': 'keys',
  '/:tenant/discovery/keys': 'keys',
};

export function applyEntraFaults(ctx: MockContext) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const endpoint = ENDPOINTS[request.routeOptions.url ?? ''];
    if (endpoint === undefined || (request.method !== 'GET' && request.method !== 'POST')) return done();
    const params = requestParams(request);
    const clientId = params.get('client_id') ?? undefined;
    const tenant = faultTenant(ctx, request, clientId);
    if (!tenant || tenant.entraFaults.size === 0) return done();
    const grantType = params.get('grant_type') ?? undefined;
    const outcome = tenant.entraFaults.take({ endpoint, clientId, grantType });
    const fail = (): void => {
      if (!outcome.failure) return done();
      // The request log shows the failed request as the fault's, with what it asked for.
      request.notes.tenant = tenant;
      request.notes.endpoint = `${endpoint}.fault`;
      if (clientId !== undefined) request.notes.clientId = clientId;
      if (grantType !== undefined) request.notes.flow = grantType;
      failWith(ctx, request, reply, done, endpoint, outcome.failure);
    };
    if (outcome.latencyMs > 0) setTimeout(fail, outcome.latencyMs);
    else fail();
  };
}

/** The form body of a POST, the query of a GET. */
function requestParams(request: FastifyRequest): URLSearchParams {
  if (request.method === 'POST') return request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
  const q = request.url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1));
}

function faultTenant(ctx: MockContext, request: FastifyRequest, clientId: string | undefined): TenantRuntime | undefined {
  const segment = (request.params as { tenant?: string }).tenant;
  if (segment === undefined) return undefined;
  let resolved;
  try {
    resolved = resolveTenantSegment(ctx.tenants, segment);
  } catch {
    // An unknown tenant: the route answers it, no fault applies.
    return undefined;
  }
  if (resolved.kind === 'tenant') return resolved.tenant;
  return clientId ? ctx.tenants.homeOfApp(clientId) : undefined;
}

function failWith(
  ctx: MockContext,
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
  endpoint: EntraFaultEndpoint,
  failure: NonNullable<EntraFaultOutcome['failure']>,
): void {
  if (failure.answer === 'throttled') {
    // Plain text, as Entra's throttling answer (MSAL.NET: "ResponseBody: Too Many Requests").
    reply
      .code(429)
      .header('retry-after', String(failure.retryAfterSeconds))
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'no-store, no-cache')
      .send('Too Many Requests');
    return;
  }
  if (failure.answer === 'server_error') {
    sendServerError(reply, errorContext(ctx, request, request.notes.tenant));
    return;
  }
  // Authorize is a page: its refusals are Microsoft's error page (the redirect URI is not checked yet).
  if (endpoint === 'authorize') answerErrorsWith(request, PAGE_ANSWER);
  done(new EntraError(failure.answer === 'request_loop' ? 50196 : 90033));
}
