import { randomBytes } from 'node:crypto';
import type { BridgeUser } from './bridge-types.js';

/**
 * The bridge's browser session: the cookie that recognises a signed-in user on the next page
 * (GET /me). `id` (default): the cookie holds a random session id and the user stays in the
 * bridge's memory — its size does not depend on the user. `claims`: the cookie holds the user's
 * subject and groups, as relying parties with stateless cookie sessions do. With hundreds of
 * groups that cookie is larger than a browser stores: RFC 6265 6.1 asks user agents for at least
 * 4096 bytes per cookie, and Chromium refuses a larger one (name + value over 4096: the
 * Set-Cookie is ignored), so the user looks signed in on the callback page and is anonymous on
 * the next one. https://www.rfc-editor.org/rfc/rfc6265#section-6.1
 */

export const SESSION_COOKIE = 'bridge_session';

export type SessionCookieMode = 'id' | 'claims';

export class BrowserSessions {
  private readonly byId = new Map<string, string>();

  /** The Set-Cookie header value for a user who just signed in. */
  issue(mode: SessionCookieMode, user: BridgeUser): string {
    let value: string;
    if (mode === 'claims') {
      value = Buffer.from(JSON.stringify({ sub: user.subject, groups: user.groups }), 'utf8').toString('base64url');
    } else {
      value = randomBytes(24).toString('base64url');
      this.byId.set(value, user.subject);
    }
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax`;
  }

  /** The subject of the session the request's Cookie header carries, if any. */
  subjectOf(cookieHeader: string | undefined): string | undefined {
    const value = readCookie(cookieHeader, SESSION_COOKIE);
    if (!value) return undefined;
    const byId = this.byId.get(value);
    if (byId) return byId;
    try {
      const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { sub?: unknown };
      return typeof parsed.sub === 'string' ? parsed.sub : undefined;
    } catch {
      return undefined;
    }
  }
}

/** One cookie's value from a Cookie header (RFC 6265 5.4: `name=value` pairs separated by `; `). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
