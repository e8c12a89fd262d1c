import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { Application } from '../../directory/model.js';
import { dotnetUrlEncode } from '../../errors/render.js';
import { hintedLogin } from '../../protocol/login-hint.js';
import { matchRedirectUri } from '../../protocol/redirect-uri.js';
import { readSessions, signedInApps, tenantAccounts, writeSessions, type SsoAccount } from '../../protocol/sso-session.js';
import { v2Issuer } from '../../runtime/urls.js';
import { decodeJwt } from '../../tokens/jwt.js';
import { signedOutPageHeaders } from '../../views/page-headers.js';
import { renderSignedOutPage } from '../../views/signed-out-page.js';
import { answerErrorsWith, PAGE_ANSWER } from './error-answer.js';
import { pageParams, tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * end_session_endpoint (GET and POST), as MSAL.js calls it: `post_logout_redirect_uri`,
 * `client-request-id`, `logout_hint` (the ID token's `login_hint` claim), `id_token_hint` and
 * `state` only when set, never `client_id` (docs/entra-wire.md §10, §12).
 *
 * It ends the browser's sessions for the tenant — only the account `logout_hint` names, when it
 * names one — in the cookie and server-side, by session id. Each session remembers the apps it
 * signed in to (protocol/sso-session.ts): their front-channel logout URLs (`web.logoutUrl`) are
 * loaded on the signed-out page with `iss` and `sid`, and the browser returns to
 * `post_logout_redirect_uri` when the user had a session and the URI is a registered redirect
 * URI of one of those apps (or of the app `client_id` / `id_token_hint` names — UNCONFIRMED,
 * the OIDC RP-initiated logout reading). Otherwise the user stays on Microsoft's "You signed out"
 * page (UNCONFIRMED for unregistered URIs: docs/entra-wire.md §10). `state` is returned as OIDC
 * RP-initiated logout defines it. Refusals (a parameter sent twice…) are shown on the error page.
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

/** A session being ended that was still live, with the apps it signed in to. */
interface EndedSession {
  account: SsoAccount;
  apps: Application[];
}

async function logout(ctx: MockContext, request: FastifyRequest<TenantRoute>, reply: FastifyReply, version: 'v1' | 'v2'): Promise<FastifyReply> {
  answerErrorsWith(request, PAGE_ANSWER);
  const seg = tenantOf(ctx, request, `logout.${version}`);
  const params = pageParams(request);
  const hint = hintedLogin(params.get('logout_hint'))?.toLowerCase();
  const target = params.get('post_logout_redirect_uri');
  const state = params.get('state');
  const hintToken = params.get('id_token_hint');
  const aud = hintToken ? decodeJwt(hintToken)?.payload.aud : undefined;
  const clientId = params.get('client_id') ?? (typeof aud === 'string' ? aud : undefined);

  const accounts = readSessions(request, ctx.sealer);
  const inScope = (tid: string): boolean => seg.kind === 'multi' || tid === seg.tenant.id;
  const userOf = (a: SsoAccount) => ctx.tenants.get(a.tid)?.directory.users.get(a.uid);
  const named = (a: SsoAccount): boolean => {
    if (!hint) return true;
    const user = userOf(a);
    return user !== undefined && [user.userPrincipalName, user.id, user.mail].some((v) => v?.toLowerCase() === hint);
  };
  const ending = accounts.filter((a) => inScope(a.tid) && named(a));
  writeSessions(
    reply,
    ctx.sealer,
    accounts.filter((a) => !ending.includes(a)),
    ctx.secure,
  );
  const ended = liveSessions(ctx, ending);
  // Ended server-side too: a copy of the old cookie (another tab, a stolen one) is not silent either.
  for (const a of ending) ctx.tenants.get(a.tid)?.endedSessions.add(a.sid);

  const frontChannelUrls = ended.flatMap((s) => s.apps.flatMap((app) => frontChannelUrl(ctx, app, s.account) ?? []));
  const back = target !== undefined && ended.length > 0 && returnsTo(ctx, ended, clientId, seg.kind === 'tenant' ? seg.tenant.id : undefined, target);
  if (back) {
    const onward: Array<[string, string]> = state !== undefined ? [['state', state]] : [];
    if (frontChannelUrls.length === 0)
      return reply.code(302).header('location', withQuery(target, onward)).header('cache-control', 'no-store, no-cache').send();
    return sendSignedOutPage(reply, frontChannelUrls, withQuery(target, onward));
  }
  return sendSignedOutPage(reply, frontChannelUrls, undefined);
}

/** The ended sessions that were live (a session ended before, expired or of a deleted tenant has no apps to sign out of). */
function liveSessions(ctx: MockContext, ending: SsoAccount[]): EndedSession[] {
  const out: EndedSession[] = [];
  for (const a of ending) {
    const tenant = ctx.tenants.get(a.tid);
    if (!tenant || tenantAccounts([a], tenant).length === 0) continue;
    const apps = signedInApps(a).flatMap((id) => tenant.directory.app(id) ?? []);
    out.push({ account: a, apps });
  }
  return out;
}

/** Whether `target` is a registered redirect URI of an app the ended sessions signed in to, or of the app the request names. */
function returnsTo(ctx: MockContext, ended: EndedSession[], clientId: string | undefined, tid: string | undefined, target: string): boolean {
  const apps = ended.flatMap((s) => s.apps);
  if (clientId !== undefined) {
    const tenant = tid !== undefined ? ctx.tenants.get(tid) : ctx.tenants.homeOfApp(clientId);
    const named = tenant?.directory.app(clientId);
    if (named) apps.push(named);
  }
  return apps.some((app) => matchRedirectUri(app, target) !== undefined);
}

/** The app's front-channel logout URL with `iss` (the tenant's v2 issuer) and `sid` (the ID tokens' `sid`). */
function frontChannelUrl(ctx: MockContext, app: Application, account: SsoAccount): string | undefined {
  const url = app.web?.logoutUrl;
  if (!url) return undefined;
  return withQuery(url, [
    ['iss', v2Issuer(ctx.urls, account.tid)],
    ['sid', account.sid],
  ]);
}

/** `uri` with the parameters added to its query (before any fragment), .NET-encoded as Entra's redirects are. */
function withQuery(uri: string, params: Array<[string, string]>): string {
  if (params.length === 0) return uri;
  const hash = uri.indexOf('#');
  const [base, fragment] = hash < 0 ? [uri, ''] : [uri.slice(0, hash), uri.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}${params.map(([k, v]) => `${k}=${dotnetUrlEncode(v)}`).join('&')}${fragment}`;
}

function sendSignedOutPage(reply: FastifyReply, frontChannelUrls: string[], continueTo: string | undefined): FastifyReply {
  return signedOutPageHeaders(reply.code(200))
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store, no-cache')
    .send(renderSignedOutPage({ frontChannelUrls, continueTo }));
}
