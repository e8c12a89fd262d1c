import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { Application, User } from '../../directory/model.js';
import { EntraError } from '../../errors/entra-error.js';
import { checkAssignment } from '../../protocol/assignment.js';
import { missingConsent } from '../../protocol/consent.js';
import { issuePageToken, PAGE_TOKEN_FIELD, redeemPageToken, refusePageAnswerByGet } from '../../protocol/page-token.js';
import type { Params } from '../../protocol/params.js';
import { parseScopes } from '../../protocol/scope.js';
import { newAccount, readSessions, tenantAccounts, writeSessions, type SsoAccount } from '../../protocol/sso-session.js';
import { passwordMatches } from '../../protocol/user-password.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { answerDeviceCode, findDeviceCode, findUserCode, type DeviceCodeRecord } from '../../store/device-codes.js';
import { newGuid } from '../../support/ids.js';
import { renderConsentPage } from '../../views/consent-page.js';
import {
  renderConfirmDevicePage,
  renderDeviceDeclinedPage,
  renderDeviceSignedInPage,
  renderEnterCodePage,
  UNKNOWN_CODE,
  USER_CODE_FIELD,
} from '../../views/device-code-page.js';
import { renderLoginPage } from '../../views/login-page.js';
import { interactivePageHeaders } from '../../views/page-headers.js';
import { answerErrorsWith, PAGE_ANSWER } from './error-answer.js';
import { pageParams } from './tenant-route.js';

/**
 * The device sign-in page, `/common/oauth2/deviceauth` (the `verification_uri` the device
 * authorization endpoint hands out): enter the user code → sign in (account picker, password) →
 * consent, or "Are you trying to sign in to …?" when consent is there → "You have signed in to
 * … on your device". Cancel on either of the last pages declines the code (the device's next
 * poll: `authorization_declined`).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
 *
 * The same protections as authorize's pages: every answer is a POST carrying the page's one-time
 * token (protocol/page-token.ts), bound to the code's tenant and client, and for the last step to
 * the SSO session the user signed in with (its cookie); the pages are never framed and post only
 * to this origin (views/page-headers.ts). Signing in here starts an SSO session, as on Entra.
 *
 * Automation, as authorize's `mock_login=auto`: `otc`, `mock_login=auto` and `login_hint` (plus
 * `mock_password` for a user with a password), by GET or POST, sign that user in and approve the
 * code at once when consent is there (else the consent page is shown).
 */

export const DEVICE_PAGE_PATH = '/common/oauth2/deviceauth';

/** The pages' own fields. */
const ACTION = 'mock_action';
const CONSENT = 'consent';
const MAX_LISTED_USERS = 50;
const UNKNOWN_USER = 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.';
const WRONG_PASSWORD = "Your account or password is incorrect. If you don't remember your password, reset it now.";

export function registerDeviceLoginRoutes(app: FastifyInstance, ctx: MockContext): void {
  const handler = (request: FastifyRequest, reply: FastifyReply) => deviceLogin(ctx, request, reply);
  app.get(DEVICE_PAGE_PATH, handler);
  app.post(DEVICE_PAGE_PATH, handler);
}

/** The user code's device code, tenant and client, as found from the typed code. */
interface DeviceFlow {
  tenant: TenantRuntime;
  deviceCode: string;
  record: DeviceCodeRecord;
  client: Application;
  /** Hidden field that carries the code through the pages. */
  carried: [string, string];
}

async function deviceLogin(ctx: MockContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  request.notes.endpoint = 'deviceauth';
  answerErrorsWith(request, PAGE_ANSWER);
  const params = pageParams(request);
  refusePageAnswerByGet(request.method, params);
  const typed = params.get(USER_CODE_FIELD);
  if (typed === undefined) return send(reply, renderEnterCodePage({ action: DEVICE_PAGE_PATH }));
  const flow = await findFlow(ctx, typed);
  if (!flow) return send(reply, renderEnterCodePage({ action: DEVICE_PAGE_PATH, error: UNKNOWN_CODE, code: typed.slice(0, 32) }));
  request.notes.tenant = flow.tenant;
  request.notes.clientId = flow.client.appId;
  request.notes.flow = 'device_code';

  const action = params.get(ACTION);
  if (action === 'login') return loginAnswer(ctx, request, reply, flow, params);
  if (action === 'consent') return consentAnswer(ctx, request, reply, flow, params);
  if (params.get('mock_login') === 'auto') return automatedLogin(ctx, request, reply, flow, params);
  return loginPage(ctx, reply, flow, {});
}

async function findFlow(ctx: MockContext, typed: string): Promise<DeviceFlow | undefined> {
  const entry = await findUserCode(ctx.store, typed);
  const tenant = entry ? ctx.tenants.get(entry.tenantId) : undefined;
  if (!entry || !tenant) return undefined;
  const record = await findDeviceCode(ctx.store, tenant, entry.deviceCode);
  if (!record || record.state !== 'pending' || record.expiresAt <= tenant.now()) return undefined;
  const client = tenant.directory.app(record.clientId);
  if (!client) return undefined;
  return { tenant, deviceCode: entry.deviceCode, record, client, carried: [USER_CODE_FIELD, record.userCode] };
}

interface LoginPageExtra {
  error?: string;
  passwordFor?: string;
  hint?: string | undefined;
}

async function loginPage(ctx: MockContext, reply: FastifyReply, flow: DeviceFlow, extra: LoginPageExtra): Promise<FastifyReply> {
  const users = [...flow.tenant.directory.users.values()].filter((u) => u.accountEnabled !== false);
  const token = await issuePageToken(ctx.store, flow.tenant, { kind: 'login', clientId: flow.client.appId });
  return send(
    reply,
    renderLoginPage({
      action: DEVICE_PAGE_PATH,
      hidden: [flow.carried, [ACTION, 'login'], [PAGE_TOKEN_FIELD, token]],
      tenantName: flow.tenant.directory.displayName,
      appName: flow.client.displayName,
      users: users.slice(0, MAX_LISTED_USERS),
      more: Math.max(0, users.length - MAX_LISTED_USERS),
      loginHint: extra.hint,
      passwordFor: extra.passwordFor,
      error: extra.error,
    }),
  );
}

/** The sign-in page's answer: its token, the account, the password when the user has one. */
async function loginAnswer(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, flow: DeviceFlow, params: Params): Promise<FastifyReply> {
  await redeemPageToken(ctx.store, flow.tenant, params.get(PAGE_TOKEN_FIELD), { kind: 'login', clientId: flow.client.appId });
  const login = params.get('loginfmt');
  const user = login ? flow.tenant.directory.userByLogin(login) : undefined;
  if (!user) return loginPage(ctx, reply, flow, { error: UNKNOWN_USER, hint: login });
  if (user.password) {
    const passwd = params.get('passwd');
    if (passwd === undefined) return loginPage(ctx, reply, flow, { passwordFor: user.userPrincipalName });
    if (!passwordMatches(passwd, user.password)) return loginPage(ctx, reply, flow, { passwordFor: user.userPrincipalName, error: WRONG_PASSWORD });
  }
  const account = signIn(ctx, request, reply, flow, user);
  return nextStep(ctx, request, reply, flow, account, user, false);
}

async function automatedLogin(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, flow: DeviceFlow, params: Params): Promise<FastifyReply> {
  const hint = params.get('login_hint');
  const user = hint ? flow.tenant.directory.userByLogin(hint) : undefined;
  if (!user) throw new EntraError(900144, { name: 'login_hint' });
  if (user.password && user.accountEnabled !== false) {
    const given = params.get('mock_password');
    if (given === undefined) return loginPage(ctx, reply, flow, { passwordFor: user.userPrincipalName });
    if (!passwordMatches(given, user.password)) throw new EntraError(50126);
  }
  const account = signIn(ctx, request, reply, flow, user);
  return nextStep(ctx, request, reply, flow, account, user, true);
}

/** A new SSO session for the user, written to the browser beside its others. */
function signIn(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, flow: DeviceFlow, user: User): SsoAccount {
  if (user.accountEnabled === false) throw new EntraError(50057);
  checkAssignment(flow.tenant.directory, flow.client, user);
  const account = newAccount(flow.tenant, user.id, newGuid(), flow.client.appId);
  const others = readSessions(request, ctx.sealer).filter((a) => !(a.tid === account.tid && a.uid === account.uid));
  writeSessions(reply, ctx.sealer, [...others, account], ctx.secure);
  return account;
}

/**
 * Signed in: the consent page when a permission is missing, else the "Are you trying to sign in"
 * question — or, for automation, the approval itself.
 */
async function nextStep(
  ctx: MockContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: DeviceFlow,
  account: SsoAccount,
  user: User,
  automated: boolean,
): Promise<FastifyReply> {
  const dir = flow.tenant.directory;
  const missing = missingConsent(dir, flow.client, user, parseScopes(dir, flow.record.scope, flow.client));
  if (missing.length === 0 && automated) return approve(ctx, request, reply, flow, account);
  const token = await issuePageToken(ctx.store, flow.tenant, { kind: 'consent', clientId: flow.client.appId, sid: account.sid });
  const hidden: Array<[string, string]> = [flow.carried, [ACTION, 'consent'], ['mock_sid', account.sid], [PAGE_TOKEN_FIELD, token]];
  if (missing.length === 0) {
    return send(reply, renderConfirmDevicePage({ action: DEVICE_PAGE_PATH, hidden, appName: flow.client.displayName, userName: user.userPrincipalName }));
  }
  return send(
    reply,
    renderConsentPage({
      action: DEVICE_PAGE_PATH,
      hidden,
      appName: flow.client.displayName,
      userName: user.userPrincipalName,
      permissions: missing.map((m) => ({ value: m.value, resource: m.resource.displayName, description: m.description })),
      needsAdmin: missing.some((m) => m.adminOnly),
    }),
  );
}

/** The last page's answer: Continue / Accept approves (recording consent), Cancel declines. */
async function consentAnswer(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, flow: DeviceFlow, params: Params): Promise<FastifyReply> {
  const shown = await redeemPageToken(ctx.store, flow.tenant, params.get(PAGE_TOKEN_FIELD), { kind: 'consent', clientId: flow.client.appId });
  const sid = params.get('mock_sid');
  if (sid !== undefined && sid !== shown.sid) throw new EntraError(50089);
  // The session the page was shown for, and no other: signed out since, the user signs in again.
  const account = tenantAccounts(readSessions(request, ctx.sealer), flow.tenant).find((a) => a.sid === shown.sid);
  if (!account) return loginPage(ctx, reply, flow, {});
  const answer = params.get(CONSENT);
  const dir = flow.tenant.directory;
  const missing = missingConsent(dir, flow.client, account.user, parseScopes(dir, flow.record.scope, flow.client));
  if (answer !== 'accept' || missing.some((m) => m.adminOnly)) {
    await answerDeviceCode(ctx.store, flow.tenant, flow.deviceCode, { state: 'declined' });
    return send(reply, renderDeviceDeclinedPage(flow.client.displayName));
  }
  for (const m of missing) dir.recordUserConsent(flow.client.appId, m.resource.appId, account.user.id, [m.value]);
  return approve(ctx, request, reply, flow, account);
}

async function approve(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, flow: DeviceFlow, account: SsoAccount): Promise<FastifyReply> {
  const done = await answerDeviceCode(ctx.store, flow.tenant, flow.deviceCode, {
    state: 'approved',
    userId: account.uid,
    sid: account.sid,
    authTime: account.authTime,
    ipaddr: request.ip,
  });
  if (!done) return send(reply, renderEnterCodePage({ action: DEVICE_PAGE_PATH, error: UNKNOWN_CODE }));
  return send(reply, renderDeviceSignedInPage(flow.client.displayName));
}

/** Every device page: never cached, never framed, its forms post only here. */
function send(reply: FastifyReply, body: string): FastifyReply {
  return interactivePageHeaders(reply.code(200), '')
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store, no-cache')
    .send(body);
}
