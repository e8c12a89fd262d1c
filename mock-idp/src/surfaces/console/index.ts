import type { FastifyError, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { consoleHeaders, consolePage, messagePage } from '../../views/console/console-page.js';
import { loginView } from '../../views/console/login-view.js';
import { controlGuard } from '../control/control-guard.js';
import { ControlError } from '../control/control-reply.js';
import { AppliedSwitches } from './applied-switches.js';
import { registerConsoleActions } from './console-actions.js';
import { registerConsolePages } from './console-pages.js';
import { ConsoleSecrets, withAuthorization } from './console-session.js';

/**
 * The console: the mock's own web pages for people, under /_mock/ui (registered beside the
 * test-control API in app.ts). What it shows and does is the test-control API's, so it is
 * guarded as that API is (control-guard.ts: other machines, other sites' pages, rebound host
 * names), with two differences a browser needs:
 *
 * - a browser cannot send the control credential as a header, so a caller beyond loopback types
 *   it into a login page once and gets a session cookie for these paths only
 *   (console-session.ts) — the JSON API never reads that cookie;
 * - every action is a POST that carries the page's token (X-Console-Token), as JSON (a form
 *   another site could post is refused by the guard before the token is even looked at).
 *
 * Pages are server-rendered (views/console/*) with one small inline script, under a strict CSP
 * with X-Frame-Options DENY: nothing is loaded from a CDN or any network.
 *
 *   GET  /_mock/ui                                tenants
 *   POST /_mock/ui/login | /_mock/ui/logout       the session cookie
 *   POST /_mock/ui/tenants                        create (from the base tenant, or an uploaded fixture or manifest)
 *   GET  /_mock/ui/tenants/:id                    a tenant (?users=<skip>&groups=<skip>)
 *   POST /_mock/ui/tenants/:id/reset | delete
 *   GET  /_mock/ui/tenants/:id/export             the tenant now, as a fixture file for -f
 *   GET  /_mock/ui/tenants/:id/log                the request log (?q= Trace ID, Correlation ID, Timestamp…)
 *   GET  /_mock/ui/tenants/:id/log/feed           new rows since ?since=<seq> (polled by the page)
 *   POST /_mock/ui/tenants/:id/log/clear
 *   POST /_mock/ui/tenants/:id/misconfigure       a one-click misconfiguration (misconfigurations.ts)
 *   POST /_mock/ui/tenants/:id/undo               take one back
 */

export const LOGIN_ROUTE = '/_mock/ui/login';

export function consoleSurface(ctx: MockContext): FastifyPluginCallback {
  return (ui, _options, done) => {
    const guard = controlGuard(ctx);
    const secrets = new ConsoleSecrets(ctx.options.controlToken, ctx.secure);
    const applied = new AppliedSwitches();

    ui.addHook('onRequest', (request, reply, next) => {
      request.notes.endpoint = 'console';
      consoleHeaders(reply);
      // The login route puts the typed credential through the same guard itself (console-actions.ts).
      const login = request.method === 'POST' && request.routeOptions.url === LOGIN_ROUTE;
      const refusal = login ? undefined : guard(secrets.hasSession(request) ? withAuthorization(request, `Bearer ${ctx.options.controlToken ?? ''}`) : request);
      if (refusal) {
        if (request.method === 'GET' && refusal.status === 401) {
          return next(new LoginNeeded(refusal.message));
        }
        return next(new ControlError(refusal.status, refusal.code, refusal.message));
      }
      if (request.method !== 'GET' && request.method !== 'HEAD' && !secrets.validPageToken(request)) {
        return next(
          new ControlError(403, 'Forbidden', 'Refused a console action without a valid page token (X-Console-Token): reload the page and try again.'),
        );
      }
      next();
    });

    ui.setErrorHandler((error: FastifyError | ControlError | LoginNeeded, request, reply) => {
      if (error instanceof LoginNeeded) {
        return sendPage(reply.code(401), consolePage({ title: 'Sign in', pageToken: secrets.pageToken(request) }, loginView(error.message)));
      }
      if (error instanceof ControlError) return refuse(request, reply, error.status, error.code, error.message);
      const status = error.statusCode;
      if (status === 413)
        return refuse(
          request,
          reply,
          413,
          'BadRequest',
          'The request body is too large (at most 1 MiB): upload a smaller fixture, or load a large one with -f when the mock starts.',
        );
      if (status !== undefined && status < 500) return refuse(request, reply, 400, 'BadRequest', 'The request URL or body is not valid.');
      request.log.error({ err: error }, 'unexpected error in the console');
      return refuse(request, reply, 500, 'InternalError', 'The mock failed on this request: that is a bug in mock-entra, please report it.');
    });
    ui.setNotFoundHandler((request, reply) =>
      refuse(request, reply, 404, 'NotFound', `The console has no page ${request.method} ${request.url.split('?')[0]!.slice(0, 300)}.`),
    );

    registerConsolePages(ui, ctx, secrets, applied);
    registerConsoleActions(ui, ctx, secrets, applied, guard);
    done();
  };
}

/** A page asked for by a caller the guard wants the credential of: answered with the login page. */
class LoginNeeded extends Error {
  override readonly name = 'LoginNeeded';
}

function sendPage(reply: FastifyReply, page: string): FastifyReply {
  return reply.header('content-type', 'text/html; charset=utf-8').send(page);
}

/** A refusal: the control API's JSON shape for the script's actions and feeds, a page for a person's GET. */
function refuse(request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  reply.code(status);
  if (request.method === 'GET' && !(request.headers.accept ?? '').includes('application/json')) {
    return sendPage(reply, messagePage(status === 404 ? 'Not found' : 'Refused', message));
  }
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ error: { code, message } }));
}
