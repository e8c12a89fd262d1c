import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { MockContext, RequestNotes } from './context.js';
import { errorContext } from './context.js';
import { EntraError } from './errors/entra-error.js';
import { sendErrorJson } from './errors/render.js';
import { sendGraphError } from './errors/graph-error.js';
import { sendAadGraphError } from './errors/aad-graph-error.js';
import { graphSurface } from './surfaces/graph/index.js';
import { entraSurface } from './surfaces/entra/index.js';
import { aadGraphSurface } from './surfaces/aad-graph/index.js';
import { controlSurface } from './surfaces/control/index.js';
import { maskedLoggerOptions } from './support/masked-logger.js';

/** Bodies above this are refused before parsing (Entra-shaped 400, never a 413 page). */
const BODY_LIMIT = 1024 * 1024;

/**
 * Builds the mock as a Fastify instance without listening, so tests can `inject()` requests.
 * The routes are Entra's URL shapes; /_mock/ is the test-control API, apart from them.
 */
export function buildApp(ctx: MockContext, https?: { key: string; cert: string }): FastifyInstance {
  const app = Fastify({
    ...(https ? { https } : {}),
    // Secrets masked in every line (support/masked-logger.ts): --log must not print client_secret or passwd.
    logger: ctx.options.logger ? maskedLoggerOptions() : false,
    bodyLimit: BODY_LIMIT,
    // Entra's paths are case-insensitive in the fixed segments (/OAuth2/V2.0/Token works).
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 500 },
    return503OnClosing: true,
    // No route declares a Fastify schema: every check answers in Entra's or Graph's own shape, in
    // code. Fastify would otherwise load Ajv and fast-json-stringify at construction — a third of
    // its start-up — for compilers that never run; these refuse loudly if a schema ever appears.
    schemaController: { compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler } },
    // A URL the router cannot decode (`/%zz/…`) or a path segment over maxParamLength: refused in
    // the shape of the surface it was meant for, never Fastify's own JSON.
    frameworkErrors: (_error, request, reply) => {
      // The router fails before Fastify's own Request (with the `notes` getter) exists.
      request.notes ??= newNotes();
      return refuseMalformed(ctx, request, reply, 400, true);
    },
  });

  // The notes are made on first use, by whatever reads them (a route, the error handler), rather
  // than by an onRequest hook: one hook less to run on every request. The onResponse hook reads
  // the field itself — a request nothing took notes on has nothing to log.
  app.decorateRequest(NOTES, null);
  app.decorateRequest('notes', {
    getter(this: FastifyRequest): RequestNotes {
      const self = this as WithNotes;
      return (self[NOTES] ??= newNotes());
    },
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
  // Fastify's own text/plain parser goes too: a route must never see a bare string as its body.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, { unsupportedBody: true }));

  // Hooks in callback form: no promise per request on the hot paths.
  app.addHook('onResponse', (request, reply, done) => {
    const n = (request as WithNotes)[NOTES];
    const tenant = n?.tenant;
    if (tenant && !n.endpoint.startsWith('control')) {
      // Recorded raw; the log formats an entry (time, masked URL) only when it is read.
      tenant.log.record(tenant.now(), request.method, request.url, n, reply.statusCode, reply.elapsedTime);
    }
    done();
  });

  // One encapsulated plugin per surface (surfaces/*/index.ts), each answering in its own shape.
  app.register(entraSurface(ctx));
  app.register(graphSurface(ctx));
  app.register(aadGraphSurface(ctx));
  app.register(controlSurface(ctx), { prefix: '/_mock' });
  return app;
}

function noSchemaCompiler(): never {
  throw new Error("mock-entra routes take no Fastify schema: validate in the route, answer in the surface's error shape");
}

/** Where a request's notes are kept once made (see the `notes` getter). */
const NOTES = Symbol('mock-entra request notes');
type WithNotes = FastifyRequest & { [NOTES]: RequestNotes | null };

/** Every field present from the start: one object shape for all requests, whichever fields a route fills. */
const newNotes = (): RequestNotes => ({ endpoint: 'unknown', tenant: undefined, flow: undefined, clientId: undefined, aadsts: undefined, error: undefined });

/**
 * A request Fastify refuses before any route runs (an undecodable URL, a body over the limit, a
 * bad content length), answered in the shape of the surface it was meant for: Graph's error JSON
 * under /v1.0 and /oidc/userinfo, the control API's under /_mock, Azure AD Graph's on the
 * overage route, Entra's (AADSTS90100) everywhere else.
 */
function refuseMalformed(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, status: number, badUrl = false): FastifyReply {
  const path = request.url.split('?')[0]!.toLowerCase();
  const tooLarge = status === 413;
  if (path.startsWith('/v1.0/') || path === '/v1.0' || path.startsWith('/oidc/userinfo')) {
    // UNCONFIRMED: Graph's wording; its own body limit (4 MB) is larger than the mock's.
    return sendGraphError(
      request,
      reply,
      tooLarge
        ? { status: 413, code: 'RequestEntityTooLarge', message: 'The request body is too large.' }
        : { status: 400, code: 'BadRequest', message: 'The request URL or body is not valid.' },
    );
  }
  if (path.startsWith('/_mock/')) {
    return reply
      .code(tooLarge ? 413 : 400)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ error: { code: 'BadRequest', message: tooLarge ? 'The request body is too large.' : 'The request URL or body is not valid.' } }));
  }
  if (/^\/[^/]+\/users\/[^/]+\/getmemberobjects\/?$/.test(path)) {
    return sendAadGraphError(request, reply, 400, 'Request_BadRequest', 'The request URL or body is not valid.');
  }
  // On Entra's paths the router only fails on the one free segment: the tenant.
  const e = badUrl ? new EntraError(900023, { tenant: (request.url.split('/')[1] ?? '').slice(0, 256) }) : new EntraError(90100, { name: 'request body' });
  request.notes.aadsts = e.code;
  return sendErrorJson(reply, e, errorContext(ctx, request, request.notes.tenant));
}
