import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { MockContext, RequestNotes } from './context.js';
import { errorContext } from './context.js';
import { EntraError } from './errors/entra-error.js';
import { sendErrorJson } from './errors/render.js';
import { GRAPH_ERRORS, sendGraphError } from './errors/graph-error.js';
import { AAD_GRAPH_ERRORS, sendAadGraphError } from './errors/aad-graph-error.js';
import { sendControlError } from './surfaces/control/control-reply.js';
import { graphSurface } from './surfaces/graph/index.js';
import { entraSurface } from './surfaces/entra/index.js';
import { aadGraphSurface } from './surfaces/aad-graph/index.js';
import { managedIdentitySurface } from './surfaces/managed-identity/index.js';
import { controlSurface } from './surfaces/control/index.js';
import { consoleSurface } from './surfaces/console/index.js';
import { tokenCapture } from './surfaces/console/token-capture.js';
import { maskedLoggerOptions } from './support/masked-logger.js';
import { hostGuard } from './host-guard.js';
import { impersonatingServerFactory } from './impersonation/https-server.js';
import type { ImpersonationAuthority } from './keys/impersonation-ca.js';

/** Bodies above this are refused before parsing, by the surface the route belongs to (never a 413 page). */
const BODY_LIMIT = 1024 * 1024;

/**
 * Builds the mock as a Fastify instance without listening, so tests can `inject()` requests.
 * The routes are Entra's URL shapes; /_mock/ is the test-control API, apart from them.
 */
export function buildApp(ctx: MockContext, https?: { key: string; cert: string }, impersonation?: ImpersonationAuthority): FastifyInstance {
  const app = Fastify({
    // Impersonating, the HTTPS server is the mock's own (impersonation/https-server.ts): it picks
    // the certificate by SNI and answers each request in the scope of its Host.
    ...(https && impersonation ? { serverFactory: impersonatingServerFactory(https, impersonation) } : https ? { https } : {}),
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
    // the shape of the surface it was meant for, never Fastify's own JSON (refuseUnroutable).
    frameworkErrors: (_error, request, reply) => {
      // The router fails before Fastify's own Request (with the `notes` getter) exists.
      request.notes ??= newNotes();
      return refuseUnroutable(ctx, request, reply);
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
  // Tokens issued or presented, decoded for the request log (surfaces/console/token-capture.ts).
  app.addHook('onSend', tokenCapture(ctx));
  app.addHook('onResponse', (request, reply, done) => {
    const n = (request as WithNotes)[NOTES];
    const tenant = n?.tenant;
    if (tenant && !n.endpoint.startsWith('control')) {
      // Recorded raw; the log formats an entry (time, masked URL) only when it is read.
      tenant.log.record(tenant.now(), request.method, request.url, n, reply.statusCode, reply.elapsedTime);
    }
    done();
  });

  // Impersonating, a Microsoft host name serves its own surface only, never /_mock.
  if (impersonation) app.addHook('onRequest', hostGuard(ctx));

  // One encapsulated plugin per surface (surfaces/*/index.ts), each answering in its own shape.
  app.register(entraSurface(ctx));
  app.register(graphSurface(ctx));
  app.register(aadGraphSurface(ctx));
  app.register(managedIdentitySurface(ctx));
  app.register(controlSurface(ctx), { prefix: '/_mock' });
  app.register(consoleSurface(ctx), { prefix: '/_mock/ui' });
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
 * A URL Fastify's router cannot take (an undecodable `%zz`, a segment over maxParamLength) fails
 * before any route — and so before any surface's own error handler — runs. Here alone the path
 * decides the shape: Graph's under /v1.0 and /oidc/userinfo, the control API's under /_mock, Azure
 * AD Graph's on the overage route, Entra's (AADSTS900023: the tenant segment is the only free one
 * on its paths) everywhere else. Everything after routing is answered by its surface's handler.
 */
function refuseUnroutable(ctx: MockContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0]!.toLowerCase();
  if (path.startsWith('/v1.0/') || path === '/v1.0' || path.startsWith('/oidc/userinfo')) return sendGraphError(request, reply, GRAPH_ERRORS.requestNotValid);
  if (path.startsWith('/_mock/') || path === '/_mock') return sendControlError(reply, 400, 'BadRequest', 'The request URL or body is not valid.');
  if (/^\/[^/]+\/users\/[^/]+\/getmemberobjects\/?$/.test(path)) return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.requestNotValid);
  const e = new EntraError(900023, { tenant: (request.url.split('/')[1] ?? '').slice(0, 256) });
  request.notes.aadsts = e.code;
  return sendErrorJson(reply, e, errorContext(ctx, request, request.notes.tenant));
}
