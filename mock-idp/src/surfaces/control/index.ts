import type { FastifyError, FastifyPluginCallback } from 'fastify';
import { optionHint } from '../../config/options.js';
import type { MockContext } from '../../context.js';
import { controlBodyProblem } from './control-body.js';
import { controlGuard } from './control-guard.js';
import { ControlError, jsonBody, sendControlError } from './control-reply.js';
import { registerFaultRoutes } from './faults.js';
import { registerMutationRoutes } from './mutations.js';
import { tenantFromBody } from './tenant-body.js';
import { describeTenant } from './tenant-info.js';
import { registerTenantRoutes } from './tenant-routes.js';
import { tenantScope } from './tenant-scope.js';

/**
 * The test-control API under /_mock/ — deliberately apart from Entra's routes and shaped like
 * nothing Entra serves. Everything is scoped per tenant, so parallel test runs, each in its own
 * tenant, never see each other. Loopback callers only, unless the mock was started with
 * allowRemoteControl or the caller sends the control credential; never web pages of other
 * origins, nor DNS-rebound host names (control-guard.ts). Bodies are JSON, at most 64 levels
 * deep (control-body.ts); what one request may generate, and how many tenants may exist, is
 * bounded (config/options.ts CONTROL_LIMIT_DEFAULTS). The typed client is `MockEntraControl`
 * (control-client.ts).
 *
 *   GET    /_mock/health
 *   GET    /_mock/ca.pem                               the CA certificate (HTTPS); the one route open to anyone
 *   GET    /_mock/tenants                              list
 *   POST   /_mock/tenants                              create (body: a tenant fixture; may extend contoso and generate)
 *   GET    /_mock/tenants/:id                          the tenant's current fixture and clock
 *   DELETE /_mock/tenants/:id                          delete
 *   POST   /_mock/tenants/:id/reset                    back to its fixture, real time, machine keys
 *   PUT    /_mock/tenants/:id/fixture                  replace the fixture
 *   PATCH  /_mock/tenants/:id/fixture                  JSON Patch (RFC 6902) the fixture
 *   GET    /_mock/tenants/:id/clock                    the tenant's now
 *   PUT    /_mock/tenants/:id/clock                    {"now": ISO-8601 | epoch ms}
 *   POST   /_mock/tenants/:id/clock/advance            {"seconds": n} (negative goes back)
 *   POST   /_mock/tenants/:id/keys/rotate              {"retireAfterSeconds": n} (default 86400)
 *   GET    /_mock/tenants/:id/requests                 the request log; DELETE clears it
 *   POST   /_mock/tenants/:id/users/:user/revoke-sessions   like Graph's revokeSignInSessions
 *   POST/GET/DELETE /_mock/tenants/:id/graph/faults[/:faultId]  Graph faults: 429, 5xx, latency (faults.ts)
 *
 * The routes under /_mock/tenants/:id form the tenant scope (tenant-scope.ts, tenant-routes.ts,
 * faults.ts). Every answer that is not a success, whatever failed — the guard, a route, Fastify
 * itself (a body over the limit), a path or method this API does not serve — is
 * `{"error":{"code","message"}}` from this plugin's own handlers. Only a URL the router cannot
 * decode fails before any plugin and is answered in this shape by app.ts.
 */

/** The route of the CA certificate, as Fastify names it (prefix included). */
const CA_ROUTE = '/_mock/ca.pem';

/** The test-control API as an encapsulated plugin, registered with the prefix `/_mock`. */
export function controlSurface(ctx: MockContext): FastifyPluginCallback {
  return (control, _options, done) => {
    const guard = controlGuard(ctx);
    // Runs for unknown paths too (the not-found handler below is this plugin's): a caller the
    // guard refuses learns nothing about which paths exist.
    control.addHook('onRequest', (request, _reply, next) => {
      request.notes.endpoint = 'control';
      // The CA certificate is public (every TLS handshake sends it in the chain): the containers
      // that must trust the mock fetch it without a credential.
      if (request.routeOptions.url === CA_ROUTE && (request.method === 'GET' || request.method === 'HEAD')) return next();
      const refusal = guard(request);
      next(refusal ? new ControlError(refusal.status, refusal.code, refusal.message) : undefined);
    });
    // Before any route reads the body: bounded depth (no recursion below may overflow), no `__proto__`.
    control.addHook('preValidation', (request, _reply, next) => {
      const json = jsonBody(request.body);
      const problem = json === undefined ? undefined : controlBodyProblem(json);
      next(problem ? new ControlError(400, 'BadRequest', problem) : undefined);
    });

    control.setErrorHandler((error: FastifyError | ControlError, request, reply) => {
      if (error instanceof ControlError) return sendControlError(reply, error.status, error.code, error.message, error.issues);
      // Fastify's own refusals (a body over the limit, a bad content length): never Entra's JSON here.
      const status = error.statusCode;
      if (status === 413) return sendControlError(reply, 413, 'BadRequest', 'The request body is too large.');
      if (status !== undefined && status < 500) return sendControlError(reply, 400, 'BadRequest', 'The request URL or body is not valid.');
      request.log.error({ err: error }, 'unexpected error in the test-control API');
      return sendControlError(reply, 500, 'InternalError', 'The mock failed on this request: that is a bug in mock-entra, please report it.');
    });
    // One answer for an unknown path and for a method a path does not take (Fastify's router
    // does not tell them apart): 404, naming what was asked.
    control.setNotFoundHandler((request, reply) =>
      sendControlError(
        reply,
        404,
        'NotFound',
        `The test-control API has no route ${request.method} ${request.url.split('?')[0]!.slice(0, 300)} (its routes: README, Test-control API).`,
      ),
    );

    control.get('/health', async () => ({ status: 'ok', tenants: ctx.tenants.all().length }));

    control.get('/ca.pem', async (_request, reply) => {
      if (ctx.caPem === undefined) {
        throw new ControlError(404, 'NotFound', 'This mock serves plain HTTP (--http): it has no CA certificate to trust.');
      }
      return reply.header('content-type', 'application/x-pem-file').send(ctx.caPem);
    });

    control.get('/tenants', async () => ({
      tenants: ctx.tenants.all().map((t) => ({ id: t.id, displayName: t.directory.displayName, verifiedDomains: t.directory.domains })),
    }));

    control.post('/tenants', async (request, reply) => {
      // Counted first: at the limit, nothing is parsed or generated.
      const max = ctx.options.maxTenants;
      if (ctx.tenants.all().length >= max) {
        throw new ControlError(
          409,
          'LimitExceeded',
          `This mock holds ${ctx.tenants.all().length} tenants and allows at most ${max}: delete one (DELETE /_mock/tenants/{id}), or start the mock with ${optionHint('maxTenants')} to allow more.`,
        );
      }
      const fixture = await tenantFromBody(ctx, request.body);
      if (ctx.tenants.get(fixture.id)) throw new ControlError(409, 'Conflict', `Tenant ${fixture.id} exists already.`);
      const taken = fixture.verifiedDomains.find((d) => ctx.tenants.byDomainName(d));
      if (taken) throw new ControlError(409, 'Conflict', `Domain ${taken} belongs to another tenant.`);
      return reply.code(201).send(describeTenant(ctx.urls.login, ctx.tenants.add(fixture)));
    });

    control.register(
      tenantScope(ctx, (scope) => {
        registerTenantRoutes(scope, ctx);
        registerFaultRoutes(scope);
        registerMutationRoutes(scope, ctx);
      }),
      { prefix: '/tenants/:id' },
    );
    done();
  };
}
