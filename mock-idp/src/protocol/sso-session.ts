import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse } from 'cookie';
import type { Sealer } from '../keys/sealing.js';
import { BOOT_INCARNATION, type TenantRuntime } from '../runtime/tenant-runtime.js';
import type { User } from '../directory/model.js';
import { isGuid } from '../support/ids.js';

/**
 * The browser's single sign-on session, like Entra's ESTSAUTH cookie: one cookie holding the
 * accounts signed in on this browser (several tenants, several users), sealed so that clients
 * cannot read or forge it. A second sign-in finds it and is silent; logout removes it and ends
 * its sessions server-side (TenantRuntime.endedSessions), so a copy of the old cookie is no
 * longer silent either.
 */

export const SESSION_COOKIE = 'ESTSAUTH';
const PURPOSE = 'sso-session';
const MAX_ACCOUNTS = 8;

/**
 * A session not used for 90 days (tenant clock) no longer signs in: Entra's default sign-in
 * frequency is "a rolling window of 90 days"
 * (https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime).
 * Its session tokens have no maximum age by default ("Until-revoked",
 * https://learn.microsoft.com/entra/identity-platform/configurable-token-lifetimes), so neither
 * do ours. UNCONFIRMED that the ESTSAUTH cookie itself follows the 90-day window exactly.
 */
export const SESSION_INACTIVITY_S = 90 * 24 * 3600;
/** A silent sign-in moves the window on; the cookie is rewritten at most once a day for it. */
const SEEN_REFRESH_S = 24 * 3600;

export interface SsoAccount {
  tid: string;
  /** The tenant's incarnation (absent in cookies sealed before incarnations existed = the boot one). */
  inc?: string | undefined;
  uid: string;
  sid: string;
  /** Seconds, tenant clock. */
  authTime: number;
  /** Last sign-in through this session, seconds, tenant clock (absent: authTime). */
  seen?: number | undefined;
  /**
   * The apps this session signed in to, the most recent last: logout returns to one of their
   * redirect URIs and loads their front-channel logout URLs. Each appId packed into 22 base64url
   * characters, at most MAX_APPS_PER_ACCOUNT: the cookie stays under browsers' 4 KiB with every
   * account it keeps (a test writes the largest one).
   */
  apps?: string[] | undefined;
}

const MAX_APPS_PER_ACCOUNT = 4;

/** An appId (a GUID) as the 22 base64url characters of its 16 bytes. */
const packAppId = (appId: string): string => Buffer.from(appId.replace(/-/g, ''), 'hex').toString('base64url');

function unpackAppId(packed: string): string | undefined {
  const hex = Buffer.from(packed, 'base64url').toString('hex');
  if (hex.length !== 32) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function readSessions(request: FastifyRequest, sealer: Sealer): SsoAccount[] {
  const header = request.headers.cookie;
  if (!header) return [];
  const cookie = parse(header)[SESSION_COOKIE];
  if (!cookie) return [];
  const v = sealer.unseal<SsoAccount[]>(cookie, PURPOSE);
  return Array.isArray(v)
    ? v.filter((a) => typeof a?.tid === 'string' && typeof a.uid === 'string' && typeof a.sid === 'string' && typeof a.authTime === 'number')
    : [];
}

/** The appIds of the apps a session signed in to (a cookie sealed before apps were kept has none). */
export const signedInApps = (a: SsoAccount): string[] =>
  Array.isArray(a.apps) ? a.apps.flatMap((x) => (typeof x === 'string' ? (unpackAppId(x) ?? []) : [])) : [];

/** The session with `appId` among its apps (the most recent last), or undefined when it is the last one already. */
function withApp(a: SsoAccount, appId: string): SsoAccount | undefined {
  if (!isGuid(appId)) return undefined;
  const id = packAppId(appId);
  const apps = Array.isArray(a.apps) ? a.apps : [];
  if (apps[apps.length - 1] === id) return undefined;
  return { ...a, apps: [...apps.filter((x) => x !== id), id].slice(-MAX_APPS_PER_ACCOUNT) };
}

export function writeSessions(reply: FastifyReply, sealer: Sealer, accounts: SsoAccount[], secure: boolean): void {
  const kept = accounts.slice(-MAX_ACCOUNTS);
  // SameSite=None lets the cookie ride a cross-site form POST to /authorize (response_mode
  // form_post apps post there); browsers only accept it with Secure, so plain HTTP uses Lax.
  // A cross-site POST of the sign-in or consent form is refused by the page token instead.
  const flags = secure ? 'Path=/; HttpOnly; Secure; SameSite=None' : 'Path=/; HttpOnly; SameSite=Lax';
  if (kept.length === 0) reply.header('set-cookie', `${SESSION_COOKIE}=; ${flags}; Max-Age=0`);
  else reply.header('set-cookie', `${SESSION_COOKIE}=${sealer.seal(kept, PURPOSE)}; ${flags}`);
}

/** A new session for a user who just signed in to `appId`. */
export function newAccount(tenant: TenantRuntime, userId: string, sid: string, appId: string): SsoAccount {
  const now = tenant.clock.nowSeconds();
  const account: SsoAccount = { tid: tenant.id, inc: tenant.incarnation, uid: userId.toLowerCase(), sid, authTime: now, seen: now };
  return withApp(account, appId) ?? account;
}

/**
 * The live accounts of one tenant: of this tenant's incarnation, not ended by logout, used within
 * the inactivity window, users that still exist, enabled, and whose sessions were not revoked.
 */
export function tenantAccounts(accounts: SsoAccount[], tenant: TenantRuntime): Array<SsoAccount & { user: User }> {
  const out: Array<SsoAccount & { user: User }> = [];
  const now = tenant.clock.nowSeconds();
  for (const a of accounts) {
    if (a.tid !== tenant.id || (a.inc ?? BOOT_INCARNATION) !== tenant.incarnation) continue;
    if (tenant.endedSessions.has(a.sid)) continue;
    if ((a.seen ?? a.authTime) + SESSION_INACTIVITY_S <= now) continue;
    const user = tenant.directory.users.get(a.uid);
    if (!user || user.accountEnabled === false) continue;
    const validFrom = tenant.tokensValidFrom.get(a.uid);
    if (validFrom !== undefined && a.authTime * 1000 < validFrom) continue;
    out.push({ ...a, user });
  }
  return out;
}

/**
 * After a silent sign-in with `used` for `appId`: the cookie with its activity moved to now and
 * the app among its apps, or undefined when neither changed — the activity was refreshed less
 * than a day ago and the app is already the session's latest (no Set-Cookie on every request).
 */
export function touchedSessions(accounts: SsoAccount[], used: SsoAccount, tenant: TenantRuntime, appId: string): SsoAccount[] | undefined {
  const now = tenant.clock.nowSeconds();
  const stale = (used.seen ?? used.authTime) + SEEN_REFRESH_S <= now;
  const app = withApp(used, appId);
  if (!stale && !app) return undefined;
  return accounts.map((a) => {
    if (a.tid !== used.tid || a.sid !== used.sid) return a;
    const touched = withApp(a, appId) ?? a;
    return stale ? { ...touched, seen: now } : touched;
  });
}
