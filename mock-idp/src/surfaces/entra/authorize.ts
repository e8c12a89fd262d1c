import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { checkAssignment } from '../../protocol/assignment.js';
import { writeSessions } from '../../protocol/sso-session.js';
import { sendToRedirectUri } from '../../errors/render.js';
import { interactivePageHeaders } from '../../views/page-headers.js';
import { checkAuthorizeRequest, identifyClient, inUserTenant, type AuthorizeRequest } from './authorize-request.js';
import { authorizeResponse } from './authorize-response.js';
import { consent } from './consent-interaction.js';
import { answerErrorsWith, PAGE_ANSWER } from './error-answer.js';
import { signIn } from './sign-in-interaction.js';
import { pageParams, type TenantRoute } from './tenant-route.js';

/**
 * The authorize endpoint (GET and POST), v2 and v1: authorization code (with PKCE), implicit and
 * hybrid flows, prompt / login_hint, the sign-in page, the consent page, and SSO.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 *
 * A pipeline: the request's checks (authorize-request.ts), the sign-in and consent interactions
 * (each returns the page to show or lets the request through), the assignment check, then the
 * response (authorize-response.ts). Errors before the redirect URI is trusted (unknown tenant or
 * client, unregistered redirect URI — or a disabled response type asked with one) are shown on
 * Microsoft's error page and never redirected; after it, they go back to the client through its
 * response_mode (error-answer.ts): disabled response types (AADSTS700054/700051), a
 * single-tenant app on /common (AADSTS50194), a v2 `resource` that is not the scopes' resource
 * (AADSTS9010010), a v1 access token without `resource` (AADSTS500013).
 *
 * The sign-in and consent pages post back here with the original parameters plus their own
 * (`mock_action`, `loginfmt`, `passwd`, `consent`), so the whole request is checked again. Only
 * by POST, and only with the page's one-time token (protocol/page-token.ts): what a page on
 * another site can send — a form POST riding the SameSite=None session cookie, or a link — can
 * neither sign the browser in nor give consent. The pages are never framed (views/page-headers.ts).
 *
 * Automation: `mock_login=auto` with `login_hint` signs that user in without showing the page
 * (Entra ignores unknown parameters, so clients may send it unchanged to a real tenant). A user
 * whose fixture has a password needs it as `mock_password` too: missing, the password page is
 * shown; wrong, AADSTS50126 on the error page.
 */

export function registerAuthorizeRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const [path, version] of [
    ['/:tenant/oauth2/v2.0/authorize', 'v2'],
    ['/:tenant/oauth2/authorize', 'v1'],
  ] as const) {
    const handler = (request: FastifyRequest<TenantRoute>, reply: FastifyReply) => authorize(ctx, request, reply, version);
    app.get<TenantRoute>(path, handler);
    app.post<TenantRoute>(path, handler);
  }
}

async function authorize(ctx: MockContext, request: FastifyRequest<TenantRoute>, reply: FastifyReply, version: 'v1' | 'v2'): Promise<FastifyReply> {
  answerErrorsWith(request, PAGE_ANSWER);
  const trusted = identifyClient(ctx, request, pageParams(request), version);
  answerErrorsWith(request, { kind: 'redirect', target: trusted.target });
  const asked = checkAuthorizeRequest(trusted, request);

  const signedIn = await signIn(ctx, request, asked);
  if (signedIn.kind === 'page') return sendPage(reply, asked, signedIn.html);
  if (signedIn.sessions) writeSessions(reply, ctx.sealer, signedIn.sessions, ctx.secure);
  const { account, user } = signedIn;
  const ar = inUserTenant(asked, signedIn.tenant);
  request.notes.tenant = ar.tenant;
  checkAssignment(ar.tenant.directory, ar.client, user);
  const consented = await consent(ctx, ar, signedIn);
  if (consented.kind === 'page') return sendPage(reply, ar, consented.html);

  const response = await authorizeResponse(ctx, ar, { user, sid: account.sid, authTime: account.authTime, ipaddr: request.ip });
  return sendToRedirectUri(reply, ar.target.redirectUri, ar.target.mode, response);
}

/** Sends a sign-in or consent page: never cached, never framed; its form may post to the redirect URI's origin. */
function sendPage(reply: FastifyReply, ar: AuthorizeRequest, html: string): FastifyReply {
  return interactivePageHeaders(reply.code(200), ar.target.redirectUri)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store, no-cache')
    .send(html);
}
