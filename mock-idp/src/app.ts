import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import type { MockContext } from './context.js';
import { errorContext } from './context.js';
import { EntraError, isEntraError } from './errors/entra-error.js';
import { sendErrorJson, sendServerError } from './errors/render.js';
import { registerDiscoveryRoutes } from './routes/login/discovery.js';
import { registerJwksRoutes } from './routes/login/jwks.js';
import { registerInstanceDiscoveryRoute } from './routes/login/instance-discovery.js';
import { registerAuthorizeRoutes } from './routes/login/authorize.js';
import { registerTokenRoutes } from './routes/login/token.js';
import { registerLogoutRoutes } from './routes/login/logout.js';
import { registerUserinfoRoutes } from './routes/graph/userinfo.js';
import { registerOverageRoute } from './routes/graph/overage.js';
import { registerGraphRoutes } from './routes/graph/index.js';
import { registerControlRoutes } from './routes/control/index.js';
import { sendNotFound } from './views/not-found.js';

/** Bodies above this are refused before parsing (Entra-shaped 400, never a 413 page). */
const BODY_LIMIT = 1024 * 1024;

/**
 * Builds the mock as a Fastify instance without listening, so tests can `inject()` requests.
 * The routes are Entra's URL shapes; /_mock/ is the test-control API, apart from them.
 */
export function buildApp(ctx: MockContext, https?: { key: string; cert: string }): FastifyInstance {
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: ctx.options.logger,
    bodyLimit: BODY_LIMIT,
    // Entra's paths are case-insensitive in the fixed segments (/OAuth2/V2.0/Token works).
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 500 },
    return503OnClosing: true,
  });

  app.decorateRequest('notes', null as never);
  // Hooks in callback form: no promise per request on the hot paths.
  app.addHook('onRequest', (request, _reply, done) => {
    request.notes = { endpoint: 'unknown' };
    done();
  });

  // Form bodies are kept as raw text and parsed by the route (duplicates must be detectable).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
  // JSON that does not parse reaches the route as a marker, which answers in Entra's or Graph's shape.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json(;|$)/, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, { json: JSON.parse(body as string) as unknown });
    } catch {
      done(null, { invalidJson: true });
    }
  });
  // Any other content type: the body is not read as parameters (Entra then misses grant_type).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, { unsupportedBody: true }));

  app.addHook('onResponse', (request, reply, done) => {
    const n = request.notes;
    const tenant = n?.tenant;
    if (tenant && !n.endpoint.startsWith('control')) {
      // Recorded raw; the log formats an entry (time, masked URL) only when it is read.
      tenant.log.record(tenant.now(), request.method, request.url, n, reply.statusCode, reply.elapsedTime);
    }
    done();
  });

  app.setErrorHandler((error: Error, request, reply) => {
    if (isEntraError(error)) {
      request.notes.aadsts = error.code;
      request.notes.error = error.entry.error;
      return sendErrorJson(reply, error, errorContext(ctx, request, request.notes.tenant));
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status < 500) {
      // Fastify's own refusals (body too large, bad content length…): Entra-shaped, never Fastify's.
      const e = new EntraError(90100, { name: 'request body' });
      request.notes.aadsts = e.code;
      return sendErrorJson(reply, e, errorContext(ctx, request, request.notes.tenant));
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendServerError(reply, errorContext(ctx, request, request.notes.tenant));
  });
  app.setNotFoundHandler((request, reply) => sendNotFound(reply, request.method, request.url));

  registerDiscoveryRoutes(app, ctx);
  registerJwksRoutes(app, ctx);
  registerInstanceDiscoveryRoute(app, ctx);
  registerAuthorizeRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerLogoutRoutes(app, ctx);
  registerUserinfoRoutes(app, ctx);
  registerOverageRoute(app, ctx);
  registerGraphRoutes(app, ctx);
  registerControlRoutes(app, ctx);
  return app;
}
