import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse, serialize } from 'cookie';
import type { FastifyRequest } from 'fastify';

/**
 * The console's two secrets, both derived from one key made when the mock starts (so a restart
 * ends every console session and page — the console holds no state worth keeping):
 *
 * - the session cookie, set once the control credential was typed into the login page. A
 *   browser cannot send `Authorization: Bearer`, so the cookie stands in for it on the console's
 *   own paths only: `Path=/_mock/ui`, `HttpOnly` (no script reads it), `SameSite=Strict` (no
 *   other site's page sends it). Its value is a MAC of the credential, not the credential: a
 *   cookie that leaks does not open the JSON API, which reads the Authorization header alone.
 * - the page token: every page carries one, and every action (a POST) must send it back in the
 *   `X-Console-Token` header — like the `flowToken` of the sign-in pages (protocol/page-token.ts),
 *   but stateless: a MAC over its issue time and the session it was shown to. A page on another
 *   site can neither read it (CSP frame-ancestors 'none', no CORS) nor send that header without a
 *   preflight the mock never grants.
 */

export const SESSION_COOKIE = 'mock_entra_console';
export const CONSOLE_PATH = '/_mock/ui';
export const PAGE_TOKEN_HEADER = 'x-console-token';
/** A page left open a working day still acts; after that, reload it. */
export const PAGE_TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export class ConsoleSecrets {
  private readonly key = randomBytes(32);

  constructor(
    private readonly controlToken: string | undefined,
    private readonly secure: boolean,
  ) {}

  /** The cookie's value for this mock's credential; undefined when it has none (loopback callers only). */
  private sessionValue(): string | undefined {
    return this.controlToken === undefined ? undefined : this.mac(`session\n${this.controlToken}`);
  }

  /** The Set-Cookie header that opens a console session. */
  sessionCookie(): string {
    const value = this.sessionValue();
    if (value === undefined) throw new Error('a console session was asked of a mock without a control credential');
    return serialize(SESSION_COOKIE, value, { path: CONSOLE_PATH, httpOnly: true, sameSite: 'strict', secure: this.secure });
  }

  /** The Set-Cookie header that ends it. */
  clearedCookie(): string {
    return serialize(SESSION_COOKIE, '', { path: CONSOLE_PATH, httpOnly: true, sameSite: 'strict', secure: this.secure, maxAge: 0 });
  }

  /** Whether the request carries a valid session cookie. */
  hasSession(request: FastifyRequest): boolean {
    const expected = this.sessionValue();
    const header = request.headers.cookie;
    if (expected === undefined || header === undefined) return false;
    const sent = parse(header)[SESSION_COOKIE];
    return sent !== undefined && equal(sent, expected);
  }

  /** A token for a page shown now, bound to the session (or its absence: a loopback caller). */
  pageToken(request: FastifyRequest, nowMs: number = Date.now()): string {
    const issued = String(nowMs);
    return `${issued}.${this.mac(`page\n${issued}\n${this.hasSession(request) ? 'session' : 'loopback'}`)}`;
  }

  /** Whether an action carries a page token this mock issued, to this session, less than its lifetime ago. */
  validPageToken(request: FastifyRequest, nowMs: number = Date.now()): boolean {
    const sent = request.headers[PAGE_TOKEN_HEADER];
    if (typeof sent !== 'string') return false;
    const m = /^(\d{1,15})\.([\w-]{43})$/.exec(sent);
    if (!m) return false;
    const issued = Number(m[1]);
    if (issued > nowMs || issued + PAGE_TOKEN_LIFETIME_MS <= nowMs) return false;
    return equal(m[2]!, this.mac(`page\n${m[1]}\n${this.hasSession(request) ? 'session' : 'loopback'}`));
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text, 'utf8').digest('base64url');
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The request as the guard should judge it: with this Authorization header (the session's
 * credential in place of its cookie, or the one typed into the login page). The guard reads
 * headers, method and socket only; everything else is the request itself (its prototype).
 */
export function withAuthorization(request: FastifyRequest, authorization: string): FastifyRequest {
  const headers = { ...request.headers, authorization };
  return Object.create(request, { headers: { value: headers, enumerable: true } }) as FastifyRequest;
}
