import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { errorContext } from '../../context.js';
import type { Application, User } from '../../directory/model.js';
import { EntraError, isEntraError } from '../../errors/entra-error.js';
import { sendErrorPage, sendErrorRedirect, sendToRedirectUri, type ResponseMode } from '../../errors/render.js';
import { checkAssignment } from '../../protocol/assignment.js';
import { resolveClient } from '../../protocol/client-app.js';
import { missingConsent, grantedScopes } from '../../protocol/consent.js';
import { Params } from '../../protocol/params.js';
import { checkChallenge } from '../../protocol/pkce.js';
import { matchRedirectUri, registeredRedirects, type MatchedRedirect } from '../../protocol/redirect-uri.js';
import { parseResponseType, responseModeFor, type ResponseType } from '../../protocol/response-type.js';
import { parseScopes, type RequestedScopes } from '../../protocol/scope.js';
import { issuePageToken, PAGE_TOKEN_FIELD, redeemPageToken } from '../../protocol/page-token.js';
import { newAccount, readSessions, tenantAccounts, touchedSessions, writeSessions, type SsoAccount } from '../../protocol/sso-session.js';
import { passwordMatches } from '../../protocol/user-password.js';
import { echoScope, singleResource } from '../../grants/delegated-tokens.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { CODE_LIFETIME_MS, CODE_PURPOSE, MAX_PENDING_CODES_PER_TENANT, type AuthorizationCodeRecord, type CodeStamp } from '../../store/records.js';
import { newGuid, opaque } from '../../support/ids.js';
import { idToken, userAccessToken, type IssuerContext, type UserSession } from '../../tokens/issue.js';
import { renderConsentPage } from '../../views/consent-page.js';
import { renderLoginPage } from '../../views/login-page.js';
import { interactivePageHeaders } from '../../views/page-headers.js';
import { tenantOf } from './tenant-route.js';

/**
 * The authorize endpoint (GET and POST), v2 and v1: authorization code (with PKCE), implicit and
 * hybrid flows, prompt / login_hint, the sign-in page, the consent page, and SSO.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 *
 * Errors before the redirect URI is trusted (unknown tenant or client, unregistered redirect URI,
 * disabled response types) are shown on Microsoft's error page and never redirected; after it,
 * they go back to the client through its response_mode.
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
const OWN_FIELDS = new Set(['mock_action', 'loginfmt', 'passwd', 'consent', 'mock_sid', 'mock_password', PAGE_TOKEN_FIELD]);
const MAX_LISTED_USERS = 50;

export function registerAuthorizeRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const [path, version] of [
    ['/:tenant/oauth2/v2.0/authorize', 'v2'],
    ['/:tenant/oauth2/authorize', 'v1'],
  ] as const) {
    const handler = (request: FastifyRequest, reply: FastifyReply) => authorize(ctx, request, reply, version);
    app.get(path, handler);
    app.post(path, handler);
  }
}

interface RedirectTarget {
  redirectUri: string;
  mode: ResponseMode;
  state?: string | undefined;
}

function paramsOf(request: FastifyRequest): Params {
  if (request.method === 'POST') return request.body instanceof URLSearchParams ? Params.from(request.body) : Params.empty();
  const q = request.url.indexOf('?');
  return Params.from(new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1)));
}

async function authorize(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, version: 'v1' | 'v2'): Promise<FastifyReply> {
  let target: RedirectTarget | undefined;
  let tenant: TenantRuntime | undefined;
  const params = paramsOf(request);
  try {
    const seg = tenantOf(ctx, request, `authorize.${version}`);
    const clientId = params.require('client_id');
    request.notes.clientId = clientId;
    const resolved = resolveClient(ctx.tenants, seg, clientId);
    tenant = resolved.tenant;
    request.notes.tenant = tenant;
    const client = resolved.app;
    const redirect = resolveRedirect(client, params.get('redirect_uri'));
    const rt = parseResponseType(params.get('response_type'), client);
    request.notes.flow = params.get('response_type');
    target = {
      redirectUri: params.get('redirect_uri') ?? redirect.registered,
      mode: responseModeFor(params.get('response_mode'), rt),
      state: params.get('state'),
    };
    // The pages' answers are form submissions: a link or an <img> on another site must not act as one.
    if (request.method !== 'POST' && params.has('mock_action')) throw new EntraError(900561, { method: request.method });

    // From here on the redirect URI is trusted.
    const nonce = params.get('nonce');
    if (rt.idToken && nonce === undefined) throw new EntraError(900144, { name: 'nonce' });
    const scope = scopeParameter(params, version);
    const scopes = parseScopes(tenant.directory, scope);
    const pkce = checkChallenge(params.get('code_challenge'), params.get('code_challenge_method'));
    const prompt = params.get('prompt');

    const pages: PageContext = { ctx, request, reply, tenant, client, params, redirectUri: target.redirectUri };
    const signedIn = await authenticate(pages, prompt);
    if (!signedIn) return reply; // a page was rendered
    const { account, user } = signedIn;

    checkAssignment(tenant.directory, client, user);
    if (!(await consent(pages, user, scopes, prompt, account, signedIn.consentAnswer))) return reply;

    const session: UserSession = { user, sid: account.sid, authTime: account.authTime, ipaddr: request.ip };
    const response = await respond(ctx, tenant, client, session, rt, scopes, scope, {
      redirect,
      redirectUri: target.redirectUri,
      nonce,
      pkce,
      idTokenVersion: version === 'v2' ? '2.0' : '1.0',
    });
    if (target.state !== undefined) response.push(['state', target.state]);
    response.push(['session_state', account.sid]);
    return sendToRedirectUri(reply, target.redirectUri, target.mode, response);
  } catch (e) {
    if (!isEntraError(e)) throw e;
    request.notes.aadsts = e.code;
    request.notes.error = e.entry.redirectError ?? e.entry.error;
    const ectx = errorContext(ctx, request, tenant);
    if (target && e.entry.surfaces.includes('redirect')) return sendErrorRedirect(reply, e, ectx, target);
    return sendErrorPage(reply, e, ectx);
  }
}

/**
 * The redirect URI must be registered (AADSTS50011); an app with none at all gets AADSTS500113.
 * Omitted, Entra falls back to a registered one (the first, here).
 */
function resolveRedirect(client: Application, requested: string | undefined): MatchedRedirect {
  const all = registeredRedirects(client);
  if (all.length === 0) throw new EntraError(500113);
  if (requested === undefined) return all[0]!;
  const m = matchRedirectUri(client, requested);
  if (!m) throw new EntraError(50011, { redirectUri: requested, clientId: client.appId });
  return m;
}

/** v2 requires `scope`; v1 takes `resource` and treats it as `{resource}/.default` plus openid. */
function scopeParameter(params: Params, version: 'v1' | 'v2'): string {
  if (version === 'v2') return params.require('scope');
  const resource = params.get('resource');
  const scope = params.get('scope') ?? 'openid';
  return resource ? `${scope} ${resource}/.default` : scope;
}

/** Hidden fields that carry the original request through the sign-in and consent pages. */
const carried = (params: Params): Array<[string, string]> => params.entries().filter(([k]) => !OWN_FIELDS.has(k));

interface SignedIn {
  account: SsoAccount;
  user: User;
  /** The consent page's answer, when this request is that page's own form (its token checked). */
  consentAnswer?: string | undefined;
}

/** What the pages of one authorize request need. */
interface PageContext {
  ctx: MockContext;
  request: FastifyRequest;
  reply: FastifyReply;
  tenant: TenantRuntime;
  client: Application;
  params: Params;
  /** Where the answer goes: the pages' form-action allows it. */
  redirectUri: string;
}

/** Sends a sign-in or consent page: never cached, never framed. */
function sendPage(p: PageContext, html: string): undefined {
  interactivePageHeaders(p.reply.code(200), p.redirectUri)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store, no-cache')
    .send(html);
  return undefined;
}

async function authenticate(p: PageContext, prompt: string | undefined): Promise<SignedIn | undefined> {
  const { ctx, request, reply, tenant, client, params } = p;
  const dir = tenant.directory;
  const all = readSessions(request, ctx.sealer);
  const live = tenantAccounts(all, tenant);
  const loginHint = params.get('login_hint');
  const action = params.get('mock_action');
  const page = async (extra: { error?: string; passwordFor?: string; hint?: string }): Promise<undefined> => {
    const users = [...dir.users.values()].filter((u) => u.accountEnabled !== false);
    // select_account and a live session: the signed-in accounts come first.
    const signedInFirst = [...live.map((a) => a.user), ...users.filter((u) => !live.some((a) => a.user === u))];
    const token = await issuePageToken(ctx.store, tenant, { kind: 'login', clientId: client.appId });
    return sendPage(
      p,
      renderLoginPage({
        action: request.url.split('?')[0]!,
        hidden: [...carried(params), ['mock_action', 'login'], [PAGE_TOKEN_FIELD, token]],
        tenantName: dir.displayName,
        appName: client.displayName,
        users: signedInFirst.slice(0, MAX_LISTED_USERS),
        more: Math.max(0, signedInFirst.length - MAX_LISTED_USERS),
        loginHint: extra.hint ?? loginHint,
        passwordFor: extra.passwordFor,
        error: extra.error,
      }),
    );
  };
  const signIn = (user: User): SignedIn => {
    if (user.accountEnabled === false) throw new EntraError(50057);
    const account = newAccount(tenant, user.id, newGuid());
    writeSessions(reply, ctx.sealer, [...all.filter((a) => !(a.tid === account.tid && a.uid === account.uid)), account], ctx.secure);
    return { account, user };
  };

  if (action === 'login') {
    await redeemPageToken(ctx.store, tenant, params.get(PAGE_TOKEN_FIELD), { kind: 'login', clientId: client.appId });
    const login = params.get('loginfmt');
    const user = login ? dir.userByLogin(login) : undefined;
    if (!user) return page({ error: 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.', hint: login });
    if (user.password) {
      const passwd = params.get('passwd');
      if (passwd === undefined) return page({ passwordFor: user.userPrincipalName });
      if (!passwordMatches(passwd, user.password)) {
        return page({
          passwordFor: user.userPrincipalName,
          error: "Your account or password is incorrect. If you don't remember your password, reset it now.",
        });
      }
    }
    return signIn(user);
  }
  if (action === 'consent') {
    const shown = await redeemPageToken(ctx.store, tenant, params.get(PAGE_TOKEN_FIELD), { kind: 'consent', clientId: client.appId });
    const sid = params.get('mock_sid');
    if (sid !== undefined && sid !== shown.sid) throw new EntraError(50089);
    // The session the page was shown for, and no other: signed out since, the user signs in again.
    const account = live.find((a) => a.sid === shown.sid);
    if (!account) return page({});
    return { account, user: account.user, consentAnswer: params.get('consent') };
  }
  if (params.get('mock_login') === 'auto') {
    const user = loginHint ? dir.userByLogin(loginHint) : undefined;
    if (!user) throw new EntraError(900144, { name: 'login_hint' });
    if (user.password && user.accountEnabled !== false) {
      const given = params.get('mock_password');
      // Without it, the interactive step Entra would show; a wrong one cannot be redone on a page.
      if (given === undefined) return page({ passwordFor: user.userPrincipalName });
      if (!passwordMatches(given, user.password)) throw new EntraError(50126);
    }
    return signIn(user);
  }
  const hinted = loginHint ? live.find((a) => a.user.userPrincipalName.toLowerCase() === loginHint.toLowerCase()) : live[live.length - 1];
  if (prompt === 'none') {
    if (!hinted) throw new EntraError(50058);
    return silently(p, all, hinted);
  }
  if (prompt === 'login' || prompt === 'select_account' || !hinted) return page({});
  return silently(p, all, hinted);
}

/** Signed in from the session cookie; the session's inactivity window moves on (sso-session.ts). */
function silently(p: PageContext, all: SsoAccount[], account: SsoAccount & { user: User }): SignedIn {
  const touched = touchedSessions(all, account, p.tenant);
  if (touched) writeSessions(p.reply, p.ctx.sealer, touched, p.ctx.secure);
  return { account, user: account.user };
}

/** Checks consent; renders the consent page when it is missing. False when a page was sent. */
async function consent(
  p: PageContext,
  user: User,
  scopes: RequestedScopes,
  prompt: string | undefined,
  account: SsoAccount,
  answer: string | undefined,
): Promise<boolean> {
  const { ctx, request, tenant, client, params } = p;
  const dir = tenant.directory;
  const missing = missingConsent(dir, client, user, scopes);
  if (answer !== undefined) {
    if (answer === 'cancel') throw new EntraError(65004);
    if (answer === 'admin_required' || missing.some((m) => m.adminOnly)) throw new EntraError(90094);
    if (answer === 'accept') {
      for (const m of missing) dir.recordUserConsent(client.appId, m.resource.appId, user.id, [m.value]);
      return true;
    }
  }
  const forced = prompt === 'consent';
  if (missing.length === 0 && !forced) return true;
  if (prompt === 'none') throw new EntraError(65001, { clientId: client.appId, appName: client.displayName });
  const shown = missing.length > 0 ? missing : missingConsentIgnoringGrants(scopes, dir, client);
  const token = await issuePageToken(ctx.store, tenant, { kind: 'consent', clientId: client.appId, sid: account.sid });
  sendPage(
    p,
    renderConsentPage({
      action: request.url.split('?')[0]!,
      hidden: [...carried(params), ['mock_action', 'consent'], ['mock_sid', account.sid], [PAGE_TOKEN_FIELD, token]],
      appName: client.displayName,
      userName: user.userPrincipalName,
      permissions: shown.map((m) => ({ value: m.value, resource: m.resource.displayName, description: m.description })),
      needsAdmin: missing.some((m) => m.adminOnly),
    }),
  );
  return false;
}

/** prompt=consent with everything granted already: list what was asked for. */
function missingConsentIgnoringGrants(scopes: RequestedScopes, dir: TenantRuntime['directory'], client: Application) {
  const nobody: User = { id: '00000000-0000-0000-0000-000000000000', userPrincipalName: '', displayName: '' };
  return missingConsent(dir, client, nobody, scopes).map((m) => ({ ...m, adminOnly: false }));
}

async function respond(
  ctx: MockContext,
  tenant: TenantRuntime,
  client: Application,
  session: UserSession,
  rt: ResponseType,
  scopes: RequestedScopes,
  scope: string,
  req: { redirect: MatchedRedirect; redirectUri: string; nonce: string | undefined; pkce: AuthorizationCodeRecord['pkce']; idTokenVersion: '1.0' | '2.0' },
): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  const ictx: IssuerContext = { tenant, urls: ctx.urls, key: tenant.activeKey(ctx.machineKey) };
  let code: string | undefined;
  if (rt.code) {
    // Sealed, so that a code no longer kept (past the cap) is still known as one of this tenant's: 70008.
    const stamp: CodeStamp = { t: tenant.id, i: tenant.incarnation, n: tenant.now(), r: opaque(16) };
    code = `1.A${ctx.sealer.seal(stamp, CODE_PURPOSE)}`;
    const record: AuthorizationCodeRecord = {
      tenantId: tenant.id,
      incarnation: tenant.incarnation,
      clientId: client.appId.toLowerCase(),
      redirectUri: req.redirectUri,
      platform: req.redirect.platform,
      userId: session.user.id.toLowerCase(),
      sid: session.sid,
      authTime: session.authTime,
      ipaddr: session.ipaddr,
      scope,
      nonce: req.nonce,
      pkce: req.pkce,
      issuedAt: tenant.now(),
    };
    // Real-time backstop a little past the protocol lifetime, so an expired code still answers 70008.
    await ctx.store.put(`code:${tenant.id}:${code}`, record, CODE_LIFETIME_MS + 5 * 60 * 1000, {
      group: `code:${tenant.id}:${tenant.incarnation}`,
      max: MAX_PENDING_CODES_PER_TENANT,
    });
    out.push(['code', code]);
  }
  let accessToken: string | undefined;
  if (rt.token) {
    const resource = singleResource(ictx, scopes, scope);
    const scp = grantedScopes(tenant.directory, client, session.user, resource.app);
    const at = await userAccessToken(ictx, {
      client,
      clientAuth: '0',
      session,
      resource: resource.app,
      resourceIdentifier: resource.identifier,
      scopes: scp,
      implicit: true,
    });
    accessToken = at.token;
    out.push(
      ['access_token', at.token],
      ['token_type', 'Bearer'],
      ['expires_in', String(at.expiresIn)],
      ['scope', echoScope(resource, scp, scopes.oidc, tenant.directory.isGraph(resource.app))],
    );
  }
  if (rt.idToken) {
    const token = await idToken(ictx, { client, session, oidc: scopes.oidc, nonce: req.nonce, code, accessToken, version: req.idTokenVersion, implicit: true });
    out.push(['id_token', token]);
  }
  return out;
}
