import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { User } from '../../directory/model.js';
import { EntraError } from '../../errors/entra-error.js';
import { isMultiTenant, userTenantByLogin } from '../../protocol/client-app.js';
import { hintedLogin } from '../../protocol/login-hint.js';
import { issuePageToken, PAGE_TOKEN_FIELD, redeemPageToken } from '../../protocol/page-token.js';
import { newAccount, readSessions, tenantAccounts, touchedSessions, type SsoAccount } from '../../protocol/sso-session.js';
import { passwordMatches } from '../../protocol/user-password.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { newGuid } from '../../support/ids.js';
import { renderLoginPage } from '../../views/login-page.js';
import { carriedFields, type AuthorizeRequest } from './authorize-request.js';

/**
 * Who is signing in, for one authorize request: the sign-in page's answer (its one-time token
 * checked, the password when the user has one), the consent page's own session, `mock_login=auto`
 * for automation, or the SSO session cookie — as `prompt` allows. It returns the page to show
 * or the signed-in user; it never writes the reply itself.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 */

export type SignInOutcome = { kind: 'page'; html: string } | SignedIn;

export interface SignedIn {
  kind: 'signed-in';
  account: SsoAccount;
  user: User;
  /** The user's tenant: the app's, or on /organizations and /common another one (a multi-tenant app). */
  tenant: TenantRuntime;
  /** The consent page's answer, when this request is that page's own form (its token checked). */
  consentAnswer?: string | undefined;
  /** The browser's sessions to write back (a new sign-in, or a session whose inactivity window moved on). */
  sessions?: SsoAccount[] | undefined;
}

const MAX_LISTED_USERS = 50;
const UNKNOWN_USER = 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.';
const WRONG_PASSWORD = "Your account or password is incorrect. If you don't remember your password, reset it now.";

export async function signIn(ctx: MockContext, request: FastifyRequest, ar: AuthorizeRequest): Promise<SignInOutcome> {
  const { tenant, client, params } = ar;
  const all = readSessions(request, ctx.sealer);
  // A multi-tenant app on /organizations or /common signs in users of every tenant
  // (https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant).
  const anyTenant = ar.segment.kind === 'multi' && isMultiTenant(client);
  const live = anyTenant ? accountsOfAllTenants(ctx, all) : tenantAccounts(all, tenant);
  const findUser = (login: string): { tenant: TenantRuntime; user: User } | undefined => {
    const home = userTenantByLogin(ctx.tenants, tenant, anyTenant, login);
    const user = home.directory.userByLogin(login);
    if (user) return { tenant: home, user };
    refuseUserOfOtherTenant(ctx, ar, login);
    return undefined;
  };
  // The ID token's login_hint claim value names its user (protocol/login-hint.ts).
  const loginHint = hintedLogin(params.get('login_hint'));
  const action = params.get('mock_action');
  const page = (extra: LoginPageExtra = {}): Promise<SignInOutcome> => loginPage(ctx, ar, live, { ...extra, hint: extra.hint ?? loginHint });
  const signedIn = ({ user, tenant: home }: { tenant: TenantRuntime; user: User }): SignedIn => {
    if (user.accountEnabled === false) throw new EntraError(50057);
    const account = newAccount(home, user.id, newGuid(), client.appId);
    const others = all.filter((a) => !(a.tid === account.tid && a.uid === account.uid));
    return { kind: 'signed-in', account, user, tenant: home, sessions: [...others, account] };
  };

  if (action === 'login') {
    await redeemPageToken(ctx.store, tenant, params.get(PAGE_TOKEN_FIELD), { kind: 'login', clientId: client.appId });
    const login = params.get('loginfmt');
    const found = login ? findUser(login) : undefined;
    if (!found) return page({ error: UNKNOWN_USER, hint: login });
    const { user } = found;
    if (user.password) {
      const passwd = params.get('passwd');
      if (passwd === undefined) return page({ passwordFor: user.userPrincipalName });
      if (!passwordMatches(passwd, user.password)) return page({ passwordFor: user.userPrincipalName, error: WRONG_PASSWORD });
    }
    return signedIn(found);
  }
  if (action === 'consent') {
    const sid = params.get('mock_sid');
    // The page was shown in the user's tenant (another one for a multi-tenant app): its token is kept there.
    const owner = anyTenant && sid !== undefined ? all.find((a) => a.sid === sid) : undefined;
    const consentTenant = (owner && ctx.tenants.get(owner.tid)) || tenant;
    const shown = await redeemPageToken(ctx.store, consentTenant, params.get(PAGE_TOKEN_FIELD), { kind: 'consent', clientId: client.appId });
    if (sid !== undefined && sid !== shown.sid) throw new EntraError(50089);
    // The session the page was shown for, and no other: signed out since, the user signs in again.
    const account = tenantAccounts(all, consentTenant).find((a) => a.sid === shown.sid);
    if (!account) return page();
    return { kind: 'signed-in', account, user: account.user, tenant: consentTenant, consentAnswer: params.get('consent') };
  }
  if (params.get('mock_login') === 'auto') {
    const found = loginHint ? findUser(loginHint) : undefined;
    if (!found) throw new EntraError(900144, { name: 'login_hint' });
    const { user } = found;
    if (user.password && user.accountEnabled !== false) {
      const given = params.get('mock_password');
      // Without it, the interactive step Entra would show; a wrong one cannot be redone on a page.
      if (given === undefined) return page({ passwordFor: user.userPrincipalName });
      if (!passwordMatches(given, user.password)) throw new EntraError(50126);
    }
    return signedIn(found);
  }
  const hinted = loginHint ? live.find((a) => a.user.userPrincipalName.toLowerCase() === loginHint.toLowerCase()) : live[live.length - 1];
  if (ar.prompt === 'none') {
    if (!hinted) throw new EntraError(50058);
    return silently(ctx, ar, all, hinted);
  }
  if (ar.prompt === 'login' || ar.prompt === 'select_account' || !hinted) return page();
  return silently(ctx, ar, all, hinted);
}

/** Signed in from the session cookie; the session's inactivity window moves on (sso-session.ts). */
function silently(ctx: MockContext, ar: AuthorizeRequest, all: SsoAccount[], account: SsoAccount & { user: User }): SignedIn {
  const tenant = ctx.tenants.get(account.tid) ?? ar.tenant;
  return { kind: 'signed-in', account, user: account.user, tenant, sessions: touchedSessions(all, account, tenant, ar.client.appId) };
}

/** The live accounts of every tenant the browser has a session in (a multi-tenant app on /organizations or /common). */
function accountsOfAllTenants(ctx: MockContext, all: SsoAccount[]): Array<SsoAccount & { user: User }> {
  const tenants = [...new Set(all.map((a) => a.tid))].flatMap((tid) => ctx.tenants.get(tid) ?? []);
  const live = new Set(tenants.flatMap((t) => tenantAccounts(all, t)).map((a) => a.sid));
  // In the cookie's order, so that the last is still the most recent sign-in.
  return all.flatMap((a) => {
    if (!live.has(a.sid)) return [];
    const user = ctx.tenants.get(a.tid)?.directory.users.get(a.uid);
    return user ? [{ ...a, user }] : [];
  });
}

/**
 * A user the app's tenant does not have, of another tenant of this mock (by the sign-in name's
 * domain): AADSTS50020 — the user would have to be a guest here first. What a single-tenant app,
 * or any app on a tenant's own endpoint, answers a user from elsewhere.
 * https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/error-code-aadsts50020-user-account-identity-provider-does-not-exist
 */
function refuseUserOfOtherTenant(ctx: MockContext, ar: AuthorizeRequest, login: string): void {
  const at = login.lastIndexOf('@');
  const other = at < 0 ? undefined : ctx.tenants.byDomainName(login.slice(at + 1));
  if (!other || other === ar.tenant || !other.directory.userByLogin(login)) return;
  throw new EntraError(50020, {
    upn: login,
    idp: `https://sts.windows.net/${other.id}/`,
    tenantName: ar.tenant.directory.displayName,
    clientId: ar.client.appId,
    appName: ar.client.displayName,
  });
}

interface LoginPageExtra {
  error?: string;
  passwordFor?: string;
  hint?: string | undefined;
}

/** The sign-in page (or its password step), with a fresh one-time token for its answer. */
async function loginPage(ctx: MockContext, ar: AuthorizeRequest, live: Array<SsoAccount & { user: User }>, extra: LoginPageExtra): Promise<SignInOutcome> {
  const { tenant, client } = ar;
  const users = [...tenant.directory.users.values()].filter((u) => u.accountEnabled !== false);
  // select_account and a live session: the signed-in accounts come first.
  const signedInFirst = [...live.map((a) => a.user), ...users.filter((u) => !live.some((a) => a.user === u))];
  const token = await issuePageToken(ctx.store, tenant, { kind: 'login', clientId: client.appId });
  const html = renderLoginPage({
    action: ar.path,
    hidden: [...carriedFields(ar), ['mock_action', 'login'], [PAGE_TOKEN_FIELD, token]],
    tenantName: tenant.directory.displayName,
    appName: client.displayName,
    users: signedInFirst.slice(0, MAX_LISTED_USERS),
    more: Math.max(0, signedInFirst.length - MAX_LISTED_USERS),
    loginHint: extra.hint,
    passwordFor: extra.passwordFor,
    error: extra.error,
  });
  return { kind: 'page', html };
}
