import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type BridgeConfig, type RunningBridge } from '../../bridge/index.js';
import { checkRefreshedIdToken } from '../../bridge/refresh.js';
import { jwtKid } from '../../bridge/flow-configuration.js';
import { startMockEntra, type RunningMockEntra } from '../../../mock-idp/src/index.js';
import { launchChromium, newBrowserContext } from '../../../mock-idp/test/support/browser.js';
import { copyContoso, pickAccount, type TenantCopy } from './support.js';

/**
 * The bridge's flows beyond the plain code flow, against the mock in Chromium: the hybrid flow
 * (`code id_token`, form_post), UserInfo with its `sub` compared, refreshing a session (and the
 * OIDC Core 12.2 comparison of the new ID token), and the JWKS fetched again for an unknown `kid`
 * after a key rotation. Every test has its own copy of Contoso, since mutations and rotations
 * change the tenant.
 */
let mock: RunningMockEntra;
let browser: Browser;
const bridges: RunningBridge[] = [];

beforeAll(async () => {
  [mock, browser] = await Promise.all([startMockEntra({ port: 0, tls: false }), launchChromium()]);
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await Promise.all([browser?.close(), mock?.close()]);
});

async function bridgeFor(t: TenantCopy, overrides: Partial<BridgeConfig> = {}): Promise<RunningBridge> {
  const b = await startBridge({
    discoveryUrl: t.discoveryUrl,
    clientId: t.ids.bridge,
    clientSecret: 'brg8Q~Valid-Secret-Value-For-Local-Dev-001',
    verificationCode: 'vc-5f2a9c',
    allowInsecureRequests: true,
    ...overrides,
  });
  bridges.push(b);
  return b;
}

/** Signs `upn` in to the bridge in a fresh browser session; resolves with what the bridge's page shows. */
async function signIn(bridge: RunningBridge, upn: string): Promise<'signed-in' | 'error'> {
  const context = await newBrowserContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(bridge.loginUrl);
    await pickAccount(page, upn);
    await page.waitForSelector('#signed-in, #bridge-error');
    return (await page.locator('#signed-in').count()) > 0 ? 'signed-in' : 'error';
  } finally {
    await context.close();
  }
}

const endpoints = async (t: TenantCopy): Promise<string[]> => (await mock.control.requests(t.tenantId)).map((r) => `${r.endpoint} ${r.status}`);
const OFFLINE = ['openid', 'profile', 'email', 'offline_access'];

describe('the hybrid flow (responseType: code id_token)', () => {
  it('asks for code id_token with form_post, verifies the front-channel ID token, redeems the code and provisions the user', async () => {
    const t = await copyContoso(mock.control, (f) => {
      f.applications![0]!.web!.implicitGrantSettings = { enableIdTokenIssuance: true, enableAccessTokenIssuance: false };
    });
    const b = await bridgeFor(t, { responseType: 'code id_token' });
    const authorize = new URL((await fetch(b.loginUrl, { redirect: 'manual' })).headers.get('location')!);
    expect([authorize.searchParams.get('response_type'), authorize.searchParams.get('response_mode')]).toEqual(['code id_token', 'form_post']);
    await expect(signIn(b, t.upn('AdeleV'))).resolves.toBe('signed-in');
    expect(b.status().users.map((u) => u.subject)).toEqual([t.ids.adele]);
    expect(b.status().errors).toEqual([]);
    expect(await endpoints(t)).toContain('token.v2 200');
  });

  it('a c_hash that does not match the code: refused in phase id_token before any token request', async () => {
    const t = await copyContoso(mock.control, (f) => {
      f.applications![0]!.web!.implicitGrantSettings = { enableIdTokenIssuance: true, enableAccessTokenIssuance: false };
    });
    const b = await bridgeFor(t, { responseType: 'code id_token' });
    await mock.control.addMutation(t.tenantId, { target: 'id_token', kind: 'c_hash-altered' });
    await expect(signIn(b, t.upn('AdeleV'))).resolves.toBe('error');
    expect(b.status().errors.map((e) => [e.phase, e.error])).toEqual([['id_token', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED']]);
    expect((await endpoints(t)).filter((e) => e.startsWith('token.'))).toEqual([]);
  });
});

describe('UserInfo (userinfo: true)', () => {
  it('reads UserInfo after the ID token; an answer naming another sub is refused in phase userinfo (OIDC Core 5.3.2)', async () => {
    const t = await copyContoso(mock.control);
    const b = await bridgeFor(t, { userinfo: true });
    await expect(signIn(b, t.upn('AdeleV'))).resolves.toBe('signed-in');
    expect(await endpoints(t)).toContain('graph.userinfo 200');

    await mock.control.addMutation(t.tenantId, { target: 'userinfo', kind: 'sub-other' });
    await expect(signIn(b, t.upn('MeganB'))).resolves.toBe('error');
    expect(b.status().users.map((u) => u.subject)).toEqual([t.ids.adele]);
    expect(b.status().errors.map((e) => [e.phase, e.error])).toEqual([['userinfo', 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED']]);
  });
});

describe('refreshing a session', () => {
  it('keeps a session only with offline_access; a refresh keeps iss and sub, over the API as well', async () => {
    const t = await copyContoso(mock.control);
    const without = await bridgeFor(t);
    await expect(signIn(without, t.upn('AdeleV'))).resolves.toBe('signed-in');
    expect(without.status().sessions).toEqual([]);
    await expect(without.refresh(t.ids.adele)).resolves.toMatchObject({ ok: false, subject: t.ids.adele, error: { phase: 'refresh', error: 'no_session' } });

    const b = await bridgeFor(t, { scopes: OFFLINE });
    await expect(signIn(b, t.upn('AdeleV'))).resolves.toBe('signed-in');
    const [session] = b.status().sessions;
    expect(session).toEqual({
      subject: t.ids.adele,
      iss: `${mock.url}/${t.tenantId}/v2.0`,
      sub: expect.any(String),
      refreshes: 0,
      signedInAt: expect.any(String),
    });
    await expect(b.refresh(t.ids.adele)).resolves.toEqual({ at: expect.any(String), subject: t.ids.adele, ok: true, idToken: true });
    const api = await fetch(`${b.url}/api/users/${t.ids.adele}/refresh`, { method: 'POST' });
    expect(api.status).toBe(200);
    await expect(api.json()).resolves.toMatchObject({ ok: true, idToken: true });
    expect(b.status().sessions).toEqual([{ ...session, refreshes: 2, lastRefreshAt: expect.any(String) }]);
    expect(JSON.stringify(b.status())).not.toMatch(/refreshToken|1\.A/);
    const refreshes = (await mock.control.requests(t.tenantId)).filter((r) => r.flow === 'refresh_token').map((r) => r.status);
    expect(refreshes).toEqual([200, 200]);
  });

  it('a refreshed ID token with another sub: refused (refresh_id_token_sub_changed), the session ended, the API answers 400', async () => {
    const t = await copyContoso(mock.control);
    const b = await bridgeFor(t, { scopes: OFFLINE });
    await expect(signIn(b, t.upn('AdeleV'))).resolves.toBe('signed-in');
    await mock.control.addMutation(t.tenantId, { target: 'refresh_id_token', kind: 'sub-other' });
    const api = await fetch(`${b.url}/api/users/${t.ids.adele}/refresh`, { method: 'POST' });
    expect(api.status).toBe(400);
    await expect(api.json()).resolves.toMatchObject({ ok: false, error: { phase: 'refresh', error: 'refresh_id_token_sub_changed' } });
    expect(b.status().sessions).toEqual([]);
    await expect(b.refresh(t.ids.adele)).resolves.toMatchObject({ ok: false, error: { error: 'no_session' } });
  });

  it('checkRefreshedIdToken compares iss first, then sub, exactly', () => {
    const original = { iss: 'https://login.microsoftonline.com/t/v2.0', sub: 'abc' };
    expect(checkRefreshedIdToken(original, { ...original })).toBeUndefined();
    expect(checkRefreshedIdToken(original, { iss: `${original.iss}/`, sub: 'other' })?.error).toBe('refresh_id_token_iss_changed');
    expect(checkRefreshedIdToken(original, { iss: original.iss, sub: 'ABC' })?.error).toBe('refresh_id_token_sub_changed');
    expect(checkRefreshedIdToken(original, { iss: original.iss })?.description).toBe(
      'The ID token of the refresh response names sub undefined; the sign-in\'s named "abc". OIDC Core 12.2: its sub MUST be the same. The session is ended.',
    );
  });
});

describe('signing keys', () => {
  it('after a rotation, the unknown kid makes the bridge fetch the JWKS again, within the minute openid-client would wait', async () => {
    const t = await copyContoso(mock.control);
    const b = await bridgeFor(t);
    await expect(signIn(b, t.upn('AdeleV'))).resolves.toBe('signed-in');
    await mock.control.rotateKeys(t.tenantId);
    await expect(signIn(b, t.upn('AlexW'))).resolves.toBe('signed-in');
    // A third sign-in: the new key is cached now, no further fetch.
    await expect(signIn(b, t.upn('MeganB'))).resolves.toBe('signed-in');
    expect(b.status().errors).toEqual([]);
    expect((await endpoints(t)).filter((e) => e.startsWith('jwks.'))).toEqual(['jwks.v2 200', 'jwks.v2 200']);
  });

  it('a kid no JWKS publishes: fetched again once, then refused with OAUTH_KEY_SELECTION_FAILED', async () => {
    const t = await copyContoso(mock.control);
    const b = await bridgeFor(t);
    await expect(signIn(b, t.upn('AdeleV'))).resolves.toBe('signed-in');
    await mock.control.addMutation(t.tenantId, { target: 'id_token', kind: 'kid-unknown' });
    await expect(signIn(b, t.upn('AlexW'))).resolves.toBe('error');
    expect(b.status().errors.map((e) => [e.phase, e.error])).toEqual([['id_token', 'OAUTH_KEY_SELECTION_FAILED']]);
    expect((await endpoints(t)).filter((e) => e.startsWith('jwks.'))).toEqual(['jwks.v2 200', 'jwks.v2 200']);
  });

  it('jwtKid reads the header only, and nothing from what is not a JWT', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url');
    expect(jwtKid(`${header}.e30.sig`)).toBe('k1');
    expect(jwtKid(`${Buffer.from('{"alg":"RS256"}').toString('base64url')}.e30.sig`)).toBeUndefined();
    expect(jwtKid('not a jwt')).toBeUndefined();
  });
});
