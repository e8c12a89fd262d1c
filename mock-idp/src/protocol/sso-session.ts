import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sealer } from '../keys/sealing.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import type { User } from '../directory/model.js';

/**
 * The browser's single sign-on session, like Entra's ESTSAUTH cookie: one cookie holding the
 * accounts signed in on this browser (several tenants, several users), sealed so that clients
 * cannot read or forge it. A second sign-in finds it and is silent; logout removes it.
 */
export const SESSION_COOKIE = 'ESTSAUTH';
const PURPOSE = 'sso-session';
const MAX_ACCOUNTS = 8;

export interface SsoAccount {
  tid: string;
  uid: string;
  sid: string;
  /** Seconds, tenant clock. */
  authTime: number;
}

export function readSessions(request: FastifyRequest, sealer: Sealer): SsoAccount[] {
  const cookie = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  if (!cookie) return [];
  const v = sealer.unseal<SsoAccount[]>(cookie, PURPOSE);
  return Array.isArray(v) ? v.filter((a) => typeof a?.tid === 'string' && typeof a.uid === 'string') : [];
}

export function writeSessions(reply: FastifyReply, sealer: Sealer, accounts: SsoAccount[], secure: boolean): void {
  const kept = accounts.slice(-MAX_ACCOUNTS);
  // SameSite=None lets the cookie ride a cross-site form POST to /authorize (response_mode
  // form_post apps post there); browsers only accept it with Secure, so plain HTTP uses Lax.
  const flags = secure ? 'Path=/; HttpOnly; Secure; SameSite=None' : 'Path=/; HttpOnly; SameSite=Lax';
  if (kept.length === 0) reply.header('set-cookie', `${SESSION_COOKIE}=; ${flags}; Max-Age=0`);
  else reply.header('set-cookie', `${SESSION_COOKIE}=${sealer.seal(kept, PURPOSE)}; ${flags}`);
}

/** The live accounts of one tenant: users that still exist, enabled, and whose sessions were not revoked. */
export function tenantAccounts(accounts: SsoAccount[], tenant: TenantRuntime): Array<SsoAccount & { user: User }> {
  const out: Array<SsoAccount & { user: User }> = [];
  for (const a of accounts) {
    if (a.tid !== tenant.id) continue;
    const user = tenant.directory.users.get(a.uid);
    if (!user || user.accountEnabled === false) continue;
    const validFrom = tenant.tokensValidFrom.get(a.uid);
    if (validFrom !== undefined && a.authTime * 1000 < validFrom) continue;
    out.push({ ...a, user });
  }
  return out;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}
