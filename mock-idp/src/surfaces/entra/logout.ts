import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { sendToRedirectUri } from '../../errors/render.js';
import { matchRedirectUri } from '../../protocol/redirect-uri.js';
import { readSessions, writeSessions } from '../../protocol/sso-session.js';
import { decodeJwt } from '../../tokens/jwt.js';
import { signedOutPageHeaders } from '../../views/page-headers.js';
import { renderSignedOutPage } from '../../views/signed-out-page.js';
import { answerErrorsWith, PAGE_ANSWER } from './error-answer.js';
import { pageParams, tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * end_session_endpoint (GET and POST). Ends the browser's session for the tenant (or only the
 * account named by logout_hint) — in the cookie and server-side, by session id — then redirects
 * to post_logout_redirect_uri when it is one of the client's registered redirect URIs — the
 * client known from client_id or id_token_hint. Otherwise Microsoft's "You signed out" page,
 * without redirect (UNCONFIRMED for unregistered URIs: docs/entra-wire.md §10 says the user lands on the
 * generic page). `state` is returned as OIDC RP-initiated logout defines it. Refusals (a
 * parameter sent twice…) are shown on Microsoft's error page.
 * https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request
 */

export function registerLogoutRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const [path, version] of [
    ['/:tenant/oauth2/v2.0/logout', 'v2'],
    ['/:tenant/oauth2/logout', 'v1'],
  ] as const) {
    const handler = (request: FastifyRequest<TenantRoute>, reply: FastifyReply) => logout(ctx, request, reply, version);
    app.get<TenantRoute>(path, handler);
    app.post<TenantRoute>(path, handler);
  }
}

async function logout(ctx: MockContext, request: FastifyRequest<TenantRoute>, reply: FastifyReply, version: 'v1' | 'v2'): Promise<FastifyReply> {
  answerErrorsWith(request, PAGE_ANSWER);
  const seg = tenantOf(ctx, request, `logout.${version}`);
  const params = pageParams(request);
  const hint = params.get('logout_hint');
  const accounts = readSessions(request, ctx.sealer);
  const inScope = (tid: string): boolean => seg.kind === 'multi' || tid === seg.tenant.id;
  const kept = accounts.filter((a) => {
    if (!inScope(a.tid)) return true;
    if (!hint) return false;
    const t = ctx.tenants.get(a.tid);
    const upn = t?.directory.users.get(a.uid)?.userPrincipalName.toLowerCase();
    return upn !== hint.toLowerCase();
  });
  writeSessions(reply, ctx.sealer, kept, ctx.secure);
  // Ended server-side too: a copy of the old cookie (another tab, a stolen one) is not silent either.
  for (const a of accounts) {
    if (!kept.includes(a)) ctx.tenants.get(a.tid)?.endedSessions.add(a.sid);
  }

  const target = params.get('post_logout_redirect_uri');
  const hintToken = params.get('id_token_hint');
  const aud = hintToken ? decodeJwt(hintToken)?.payload.aud : undefined;
  const clientId = params.get('client_id') ?? (typeof aud === 'string' ? aud : undefined);
  if (target && clientId) {
    const tenant = seg.kind === 'tenant' ? seg.tenant : ctx.tenants.homeOfApp(clientId);
    const client = tenant?.directory.app(clientId);
    if (client && matchRedirectUri(client, target)) {
      const state = params.get('state');
      return sendToRedirectUri(reply, target, 'query', state !== undefined ? [['state', state]] : []);
    }
  }
  return signedOutPageHeaders(reply.code(200)).header('content-type', 'text/html; charset=utf-8').send(renderSignedOutPage());
}
