import { createHash, createHmac, randomBytes, randomUUID, sign, X509Certificate } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { vi } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { createSigningKey, type KeyAndCert } from '../../src/keys/certificates.js';
import { CONTOSO, T, type TestMock } from '../support/mock-app.js';

/**
 * What a client does to reach the mock's refusals without a browser: sign-in through
 * `mock_login=auto` or the sign-in / consent pages' own forms, code redemption, refresh, client
 * assertions — and the test-control API to give each clock- or fixture-changing trigger a tenant
 * of its own (a copy of Contoso under a new GUID and domain).
 */

export const BRIDGE = CONTOSO.bridge;
export const UI = CONTOSO.openMetadataUi;
export const INGESTION = CONTOSO.ingestion;
export const INGESTION_REDIRECT = 'http://localhost:8080/ingestion';
export const UI_ORIGIN = 'http://localhost:8585';
export const ADELE = CONTOSO.users.adele.upn;
export const MEGAN = CONTOSO.users.megan.upn;
export const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';
/** What the bridge (PingOne "Connect to Azure") asks for. */
export const BRIDGE_SCOPE = 'openid profile email offline_access User.Read';
/** What the OpenMetadata SPA asks for. */
export const UI_SCOPE = `openid profile offline_access ${UI.scope}`;

/** The v2 token endpoint of any tenant segment (GUID, domain, common, organizations…). */
export const tokenAt = (tenant: string = T): string => `/${tenant}/oauth2/v2.0/token`;

export const state = (): string => randomBytes(12).toString('base64url');

// --- Tenants ------------------------------------------------------------------------------------

/** A copy of the Contoso tenant under a new GUID and domain, optionally edited first. */
export async function newTenant(m: TestMock, edit?: (f: TenantFixture) => void): Promise<string> {
  const r = await m.inject({ method: 'GET', url: `/_mock/tenants/${T}` });
  if (r.statusCode !== 200) throw new Error(`GET /_mock/tenants/${T}: ${r.statusCode} ${r.body}`);
  const fixture = (JSON.parse(r.body) as { fixture: TenantFixture }).fixture;
  const id = randomUUID();
  fixture.id = id;
  fixture.verifiedDomains = [`contoso${id.slice(0, 8)}.onmicrosoft.com`];
  edit?.(fixture);
  const c = await m.inject({ method: 'POST', url: '/_mock/tenants', payload: fixture as unknown as Record<string, unknown> });
  if (c.statusCode !== 201) throw new Error(`POST /_mock/tenants: ${c.statusCode} ${c.body}`);
  return id;
}

export async function control(m: TestMock, method: 'POST' | 'PATCH' | 'PUT', url: string, payload: unknown): Promise<void> {
  const r = await m.inject({ method, url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
}

export const advanceClock = (m: TestMock, tenant: string, seconds: number): Promise<void> =>
  control(m, 'POST', `/_mock/tenants/${tenant}/clock/advance`, { seconds });

/**
 * Runs `fn` with `Date` frozen (timers untouched), so the instants the mock writes into its
 * messages (issuedOn, Current time…) are known to the millisecond. `at(ms)` moves the frozen time.
 */
export async function withFrozenTime<R>(fn: (start: number, at: (ms: number) => void) => Promise<R>): Promise<R> {
  const start = Math.floor(Date.now() / 1000) * 1000 + 417;
  vi.useFakeTimers({ toFake: ['Date'], now: start });
  try {
    return await fn(start, (ms) => vi.setSystemTime(ms));
  } finally {
    vi.useRealTimers();
  }
}

/** Entra's instants in 700082/700084/50173/700024: ISO 8601 with seven fractional digits. */
export const ticks = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

// --- Authorize ----------------------------------------------------------------------------------

export const authorizePath = (tenant: string, params: Record<string, string>): string =>
  `/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams(params).toString()}`;

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** `ESTSAUTH=…` from a response's set-cookie, for the browser's next request. */
export function sessionCookie(r: LightMyRequestResponse): string {
  const raw = r.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const c = list.map((s) => s.split(';')[0]!).find((s) => s.startsWith('ESTSAUTH=') && s.length > 'ESTSAUTH='.length);
  if (!c) throw new Error(`no ESTSAUTH cookie in the response (${r.statusCode})`);
  return c;
}

const unescapeHtml = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The hidden inputs of the page's first form, as a browser would post them. */
export function hiddenFields(html: string): Array<[string, string]> {
  const form = /<form\b[\s\S]*?<\/form>/.exec(html)?.[0];
  if (!form) throw new Error('no form on the page');
  return [...form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)" \/>/g)].map((x) => [unescapeHtml(x[1]!), unescapeHtml(x[2]!)]);
}

/** POSTs a page's form back to the authorize endpoint, like the browser does. */
export function postForm(m: TestMock, path: string, fields: Array<[string, string]>, cookie?: string): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams(fields).toString();
  return m.inject({
    method: 'POST',
    url: path,
    payload: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  });
}

export interface SignIn {
  tenant?: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  user?: string;
  extra?: Record<string, string>;
}

/** A signed-in authorize request (mock_login=auto); returns the code and the SSO cookie. */
export async function authorizeCode(m: TestMock, s: SignIn): Promise<{ code: string; cookie: string }> {
  const r = await m.inject(
    authorizePath(s.tenant ?? T, {
      client_id: s.clientId,
      response_type: 'code',
      redirect_uri: s.redirectUri,
      scope: s.scope,
      state: state(),
      login_hint: s.user ?? ADELE,
      mock_login: 'auto',
      ...s.extra,
    }),
  );
  const location = r.headers.location;
  const code = typeof location === 'string' ? new URL(location).searchParams.get('code') : null;
  if (r.statusCode !== 302 || !code) throw new Error(`authorize gave no code: ${r.statusCode} ${location ?? r.body.slice(0, 400)}`);
  return { code, cookie: sessionCookie(r) };
}

export const bridgeCode = (m: TestMock, tenant: string = T, extra: Record<string, string> = {}) =>
  authorizeCode(m, { tenant, clientId: BRIDGE.appId, redirectUri: BRIDGE.redirectUri, scope: BRIDGE_SCOPE, extra });

/** The OpenMetadata SPA's code, with PKCE unless `pkce` is false. */
export async function spaCode(m: TestMock, tenant: string = T, pkce = true): Promise<{ code: string; verifier: string }> {
  const p = pkcePair();
  const extra: Record<string, string> = pkce ? { code_challenge: p.challenge, code_challenge_method: 'S256' } : {};
  const { code } = await authorizeCode(m, { tenant, clientId: UI.appId, redirectUri: UI.redirectUri, scope: UI_SCOPE, extra });
  return { code, verifier: p.verifier };
}

// --- Token endpoint -----------------------------------------------------------------------------

export async function expectTokens(r: LightMyRequestResponse, what: string): Promise<Record<string, unknown>> {
  if (r.statusCode !== 200) throw new Error(`${what}: ${r.statusCode} ${r.body}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

/** The bridge's refresh token: sign-in, then code redemption with its secret. */
export async function bridgeRefreshToken(m: TestMock, tenant: string = T): Promise<string> {
  const { code } = await bridgeCode(m, tenant);
  const r = await m.form(tokenAt(tenant), {
    grant_type: 'authorization_code',
    client_id: BRIDGE.appId,
    client_secret: BRIDGE.secret,
    code,
    redirect_uri: BRIDGE.redirectUri,
    scope: BRIDGE_SCOPE,
  });
  return String((await expectTokens(r, 'bridge code redemption')).refresh_token);
}

/** The SPA's refresh token, redeemed cross-origin with PKCE as MSAL.js does. */
export async function spaRefreshToken(m: TestMock, tenant: string = T): Promise<string> {
  const { code, verifier } = await spaCode(m, tenant);
  const r = await m.form(
    tokenAt(tenant),
    { grant_type: 'authorization_code', client_id: UI.appId, code, redirect_uri: UI.redirectUri, code_verifier: verifier, scope: UI_SCOPE },
    { origin: UI_ORIGIN },
  );
  return String((await expectTokens(r, 'SPA code redemption')).refresh_token);
}

// --- Client assertions (private_key_jwt) --------------------------------------------------------

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export const sha1Thumbprint = (certPem: string): Buffer => createHash('sha1').update(new X509Certificate(certPem).raw).digest();

/** An RS256 client assertion with `x5t`, as MSAL builds it. */
export function clientAssertion(k: KeyAndCert, claims: Record<string, unknown>): string {
  const input = `${b64json({ alg: 'RS256', typ: 'JWT', x5t: sha1Thumbprint(k.certPem).toString('base64url') })}.${b64json(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), k.keyPem).toString('base64url')}`;
}

/** RFC 7523 client_secret_jwt (HS256 keyed with the client secret), which some OAuth libraries default to. */
export function clientSecretJwt(secret: string, claims: Record<string, unknown>): string {
  const input = `${b64json({ alg: 'HS256', typ: 'JWT' })}.${b64json(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function assertionClaims(clientId: string, aud: string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return { aud, iss: clientId, sub: clientId, jti: randomUUID(), nbf: nowSeconds, iat: nowSeconds, exp: nowSeconds + 600 };
}

export interface CertTenant {
  tenant: string;
  /** The certificate uploaded to the bridge's registration. */
  registered: KeyAndCert;
  /** A certificate the app never had uploaded (e.g. renewed locally, not yet in the portal). */
  unregistered: KeyAndCert;
}

const certTenants = new WeakMap<TestMock, Promise<CertTenant>>();

/** A tenant whose bridge registration has one certificate, uploaded through JSON Patch. */
export function certTenant(m: TestMock): Promise<CertTenant> {
  let p = certTenants.get(m);
  if (!p) {
    p = (async () => {
      const [registered, unregistered] = await Promise.all([createSigningKey(), createSigningKey()]);
      const tenant = await newTenant(m);
      const r = await m.inject({ method: 'GET', url: `/_mock/tenants/${tenant}` });
      const apps = (JSON.parse(r.body) as { fixture: TenantFixture }).fixture.applications ?? [];
      const i = apps.findIndex((a) => a.appId === BRIDGE.appId);
      await control(m, 'PATCH', `/_mock/tenants/${tenant}/fixture`, [
        {
          op: 'add',
          path: `/applications/${i}/keyCredentials`,
          value: [{ keyId: randomUUID(), displayName: 'CN=bridge-assertion', type: 'AsymmetricX509Cert', usage: 'Verify', key: registered.certPem }],
        },
      ]);
      return { tenant, registered, unregistered };
    })();
    certTenants.set(m, p);
  }
  return p;
}

/** The token endpoint URL the mock expects as an assertion's `aud`. */
export const mockTokenEndpoint = (origin: string, tenant: string): string => `${origin}/${tenant}/oauth2/v2.0/token`;

/** client_credentials for the bridge with a client assertion. */
export const assertionRequest = (m: TestMock, tenant: string, assertion: string): Promise<LightMyRequestResponse> =>
  m.form(tokenAt(tenant), {
    grant_type: 'client_credentials',
    client_id: BRIDGE.appId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: GRAPH_DEFAULT,
  });
