import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import type { MutationSpec } from '../../src/runtime/mutations.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { authorize, bridgeCode, bridgeRedeem, CONTOSO, json, mockApp, T, tokenPath, type TestMock } from '../support/mock-app.js';

/**
 * Helpers of the "Broken on purpose" tests: mint one token of each target through the real
 * endpoints, queue mutations through the control API, decode and compare tokens.
 */

export const NONCE = 'nonce-7Qm2';
/** The tenant clock, frozen for a test: ID tokens minted twice then differ only in opaque values. */
export const FROZEN = Date.parse('2031-05-04T10:00:00Z');
export const FROZEN_S = FROZEN / 1000;

export type JwtTarget = 'id_token' | 'access_token' | 'refresh_id_token';

export async function freezeClock(m: TestMock): Promise<void> {
  const r = await m.inject({ method: 'PUT', url: `/_mock/tenants/${T}/clock`, payload: { now: new Date(FROZEN).toISOString() } });
  if (r.statusCode !== 200) throw new Error(r.body);
}

/** One mock for a test file; before every test, Contoso is reset (mutations, keys, log) and its clock frozen at FROZEN. */
export function withFrozenContoso(use: (m: TestMock) => void): void {
  let m: TestMock;
  beforeAll(async () => {
    m = await mockApp();
    use(m);
  });
  afterAll(() => m.close());
  beforeEach(async () => {
    await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/reset` });
    await freezeClock(m);
  });
}

export async function queue(m: TestMock, spec: MutationSpec | Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/mutations`, payload: spec });
  if (r.statusCode !== 201) throw new Error(`${r.statusCode} ${r.body}`);
  return json(r);
}

/** One token of `target`: the bridge's ID token (code flow, with a nonce), an app-only token for the tenant's own API, a refresh response's ID token. */
export async function mint(m: TestMock, target: JwtTarget): Promise<string> {
  if (target === 'access_token') {
    const r = json(
      await m.form(tokenPath(), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.ingestion.appId,
        client_secret: CONTOSO.ingestion.secret,
        scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
      }),
    );
    return String(r.access_token);
  }
  const first = json(await bridgeRedeem(m, await bridgeCode(m, { nonce: NONCE })));
  if (target === 'id_token') return String(first.id_token);
  const refreshed = json(
    await m.form(tokenPath(), {
      grant_type: 'refresh_token',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      refresh_token: String(first.refresh_token),
    }),
  );
  return String(refreshed.id_token);
}

/** The OpenMetadata SPA's /authorize with an implicit or hybrid response type: its parameters. */
export async function authorizeSpa(m: TestMock, responseType: string): Promise<URLSearchParams> {
  const r = await authorize(m, {
    client_id: CONTOSO.openMetadataUi.appId,
    redirect_uri: CONTOSO.openMetadataUi.redirectUri,
    scope: `openid profile ${CONTOSO.openMetadataUi.scope}`,
    nonce: NONCE,
    mock_login: 'auto',
    login_hint: CONTOSO.users.adele.upn,
    response_mode: 'fragment',
    response_type: responseType,
  });
  return r.params;
}

export interface Decoded {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signature: string;
}

export function decode(jwt: string): Decoded {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature: s,
  };
}

/** Opaque values that differ between any two tokens (and `sid`: each sign-in is a new session). */
const VOLATILE = new Set(['aio', 'rh', 'uti', 'sid']);

/**
 * What differs between two objects, key by key: `[before, after]`, `undefined` for a member one
 * of them lacks. `ignore`: members that differ anyway (random lifetimes).
 */
export function changes(before: Record<string, unknown>, after: Record<string, unknown>, ignore: readonly string[] = []): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (VOLATILE.has(k) || ignore.includes(k)) continue;
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = [before[k], after[k]];
  }
  return out;
}

/** The tenant's JWKS (v2 path), `?query` optional. */
export async function jwks(m: TestMock, query = ''): Promise<Array<JsonWebKey & { kid: string }>> {
  const r = await m.inject(`/${T}/discovery/v2.0/keys${query}`);
  return (json(r).keys as Array<JsonWebKey & { kid: string }>) ?? [];
}

/** Whether `signingInput`'s RS256 signature `sig` verifies with the JWKS key `kid`. */
export function verifiesWith(keys: Array<JsonWebKey & { kid: string }>, kid: string, signingInput: string, sig: Buffer): boolean {
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) return false;
  const { kty, n, e } = jwk;
  return verify('sha256', Buffer.from(signingInput), createPublicKey({ key: { kty, n, e }, format: 'jwk' }), sig);
}

/** Whether a token verifies against the tenant's current JWKS by its own kid. */
export async function verifies(m: TestMock, jwt: string): Promise<boolean> {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  return verifiesWith(await jwks(m), String(decode(jwt).header.kid), `${h}.${p}`, Buffer.from(s, 'base64url'));
}

export async function requestLog(m: TestMock): Promise<Array<Record<string, unknown>>> {
  return json(await m.inject(`/_mock/tenants/${T}/requests`)).requests as Array<Record<string, unknown>>;
}
