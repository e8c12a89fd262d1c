import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { User } from '../../directory/model.js';
import { EntraError } from '../../errors/entra-error.js';
import { hintedLogin } from '../../protocol/login-hint.js';
import { issuePageToken, PAGE_TOKEN_FIELD, redeemPageToken } from '../../protocol/page-token.js';
import { newAccount, readSessions, tenantAccounts, touchedSessions, type SsoAccount } from '../../protocol/sso-session.js';
import { passwordMatches } from '../../protocol/user-password.js';
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
  const dir = tenant.directory;
  const all = readSessions(request, ctx.sealer);
  const live = tenantAccounts(all, tenant);
  // The ID token's login_hint claim value names its user (protocol/login-hint.ts).
  const loginHint = hintedLogin(params.get('login_hint'));
  const action = params.get('mock_action');
  const page = (extra: LoginPageExtra = {}): Promise<SignInOutcome> => loginPage(ctx, ar, live, { ...extra, hint: extra.hint ?? loginHint });
  const signedIn = (user: User): SignedIn => {
    if (user.accountEnabled === false) throw new EntraError(50057);
    const account = newAccount(tenant, user.id, newGuid(), client.appId);
    const others = all.filter((a) => !(a.tid === account.tid && a.uid === account.uid));
    return { kind: 'signed-in', account, user, sessions: [...others, account] };
  };

  if (action === 'login') {
    await redeemPageToken(ctx.store, tenant, params.get(PAGE_TOKEN_FIELD), { kind: 'login', clientId: client.appId });
    const login = params.get('loginfmt');
    const user = login ? dir.userByLogin(login) : undefined;
    if (!user) return page({ error: UNKNOWN_USER, hint: login });
    if (user.password) {
      const passwd = params.get('passwd');
      if (passwd === undefined) return page({ passwordFor: user.userPrincipalName });
      if (!passwordMatches(passwd, user.password)) return page({ passwordFor: user.userPrincipalName, error: WRONG_PASSWORD });
    }
    return signedIn(user);
  }
  if (action === 'consent') {
    const shown = await redeemPageToken(ctx.store, tenant, params.get(PAGE_TOKEN_FIELD), { kind: 'consent', clientId: client.appId });
    const sid = params.get('mock_sid');
    if (sid !== undefined && sid !== shown.sid) throw new EntraError(50089);
    // The session the page was shown for, and no other: signed out since, the user signs in again.
    const account = live.find((a) => a.sid === shown.sid);
    if (!account) return page();
    return { kind: 'signed-in', account, user: account.user, consentAnswer: params.get('consent') };
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
    return signedIn(user);
  }
  const hinted = loginHint ? live.find((a) => a.user.userPrincipalName.toLowerCase() === loginHint.toLowerCase()) : live[live.length - 1];
  if (ar.prompt === 'none') {
    if (!hinted) throw new EntraError(50058);
    return silently(ar, all, hinted);
  }
  if (ar.prompt === 'login' || ar.prompt === 'select_account' || !hinted) return page();
  return silently(ar, all, hinted);
}

/** Signed in from the session cookie; the session's inactivity window moves on (sso-session.ts). */
function silently(ar: AuthorizeRequest, all: SsoAccount[], account: SsoAccount & { user: User }): SignedIn {
  return { kind: 'signed-in', account, user: account.user, sessions: touchedSessions(all, account, ar.tenant, ar.client.appId) };
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
