import { randomUUID } from 'node:crypto';
import { CONTOSO } from '../../src/contoso.js';
import { contosoCopy, json, send, T, type RawAnswer } from './control-support.js';

/**
 * Helpers of the sign-in pages' attack tests: a browser's requests to /authorize and /logout over
 * real HTTP, the ESTSAUTH cookie carried by hand, and the pages' hidden fields posted back as the
 * browser would (or forged, as a page on another site would).
 */

export const BRIDGE = CONTOSO.bridge;
export const ADELE = CONTOSO.users.adele.upn;
export const BRIDGE_QUERY = {
  client_id: BRIDGE.appId,
  response_type: 'code',
  redirect_uri: BRIDGE.redirectUri,
  scope: 'openid profile email offline_access User.Read',
  state: 'st-9',
};

export const authorizePath = (tenant: string, query: Record<string, string>): string =>
  `/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams(query).toString()}`;

/** `ESTSAUTH=…` from an answer's Set-Cookie; undefined when it sets none (or clears it). */
export function sessionCookie(a: RawAnswer): string | undefined {
  const raw = a.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.map((s) => s.split(';')[0]!).find((s) => s.startsWith('ESTSAUTH=') && s.length > 'ESTSAUTH='.length);
}

export const get = (port: number, path: string, cookie?: string, headers: Record<string, string> = {}): Promise<RawAnswer> =>
  send(port, 'GET', path, { headers: { ...headers, ...(cookie ? { cookie } : {}) } });

/** A form POST, as a browser sends it (from the page itself or from another site). */
export const postForm = (
  port: number,
  path: string,
  fields: Array<[string, string]>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> =>
  send(port, 'POST', path, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers, ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
  });

const unescapeHtml = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The hidden inputs of the page's first form. */
export function hiddenFields(html: string): Array<[string, string]> {
  const form = /<form\b[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  return [...form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)" \/>/g)].map((x) => [unescapeHtml(x[1]!), unescapeHtml(x[2]!)]);
}

/** The AADSTS code of Microsoft's error page (x-ms-ests-error), or undefined for any other answer. */
export const pageError = (a: RawAnswer): number | undefined =>
  typeof a.headers['x-ms-ests-error'] === 'string' ? Number(a.headers['x-ms-ests-error']) : undefined;

/** The query of a redirect's Location. */
export const redirectParams = (a: RawAnswer): URLSearchParams => new URL(String(a.headers.location ?? 'http://none/')).searchParams;

/** Signs Adele (password-less) in with mock_login=auto; the code and the session cookie. */
export async function signInAuto(port: number, tenant: string = T, extra: Record<string, string> = {}): Promise<{ code: string; cookie: string }> {
  const r = await get(port, authorizePath(tenant, { ...BRIDGE_QUERY, login_hint: ADELE, mock_login: 'auto', ...extra }));
  const code = redirectParams(r).get('code');
  const cookie = sessionCookie(r);
  if (r.status !== 302 || !code || !cookie) throw new Error(`mock_login=auto did not sign in: ${r.status} ${r.body.slice(0, 300)}`);
  return { code, cookie };
}

/** A copy of Contoso under a new id; `edit` changes it first. Returns the id. */
export async function newTenant(port: number, edit?: (f: Awaited<ReturnType<typeof contosoCopy>>) => void): Promise<string> {
  const id = randomUUID();
  const f = await contosoCopy(port, id, `signin${id.slice(0, 8)}.example.com`);
  edit?.(f);
  const r = await send(port, 'POST', '/_mock/tenants', json(f));
  if (r.status !== 201) throw new Error(`POST /_mock/tenants: ${r.status} ${r.body}`);
  return id;
}

/** A control call with a JSON body. */
export async function control(port: number, method: string, path: string, body?: unknown): Promise<RawAnswer> {
  const r = await send(port, method, path, body === undefined ? {} : json(body));
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
  return r;
}

/** Redeems a bridge code; the JSON answer. */
export async function redeem(port: number, tenant: string, code: string): Promise<RawAnswer> {
  return postForm(port, `/${tenant}/oauth2/v2.0/token`, [
    ['grant_type', 'authorization_code'],
    ['client_id', BRIDGE.appId],
    ['client_secret', BRIDGE.secret],
    ['code', code],
    ['redirect_uri', BRIDGE.redirectUri],
  ]);
}

export const errorCodes = (a: RawAnswer): unknown => (a.json as { error_codes?: unknown } | undefined)?.error_codes;
