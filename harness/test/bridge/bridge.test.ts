import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type BridgeConfig, type RunningBridge } from '../../bridge/index.js';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../../mock-idp/src/index.js';
import { launchChromium, newBrowserContext } from '../../../mock-idp/test/support/browser.js';
import { pickAccount } from './support.js';

/**
 * The bridge against the mock, in a real browser. Two mocks: `plain` (HTTP) for everything a
 * browser touches (Chromium does not trust the mock's CA), `secure` (HTTPS, the CA trusted
 * through trustingFetch) for Verify. Contoso itself is never changed here; group sync and the
 * overage are in graph.test.ts, on copies of it.
 */
const { adele, megan } = CONTOSO.users;
const TID = CONTOSO.tenantId;

let plain: RunningMockEntra;
let secure: RunningMockEntra;
let browser: Browser;
const bridges: RunningBridge[] = [];

beforeAll(async () => {
  [plain, secure, browser] = await Promise.all([startMockEntra({ port: 0, tls: false }), startMockEntra({ port: 0 }), launchChromium()]);
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await Promise.all([browser?.close(), plain?.close(), secure?.close()]);
});

/** A bridge on the plain mock for Contoso (not changed by these tests), with its bridge app registration. */
async function bridgeOn(overrides: Partial<BridgeConfig> = {}): Promise<RunningBridge> {
  const b = await startBridge({
    discoveryUrl: `${plain.url}/${TID}/v2.0/.well-known/openid-configuration`,
    clientId: CONTOSO.bridge.appId,
    clientSecret: CONTOSO.bridge.secret,
    verificationCode: 'vc-5f2a9c',
    allowInsecureRequests: true,
    ...overrides,
  });
  bridges.push(b);
  return b;
}

/** Opens the bridge's /login in a fresh browser session and picks `upn` on the mock's page. */
async function signIn(bridge: RunningBridge, upn: string, run: (page: Page) => Promise<void>): Promise<void> {
  const context: BrowserContext = await newBrowserContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(bridge.loginUrl);
    await pickAccount(page, upn);
    await page.waitForSelector('#signed-in, #bridge-error');
    await run(page);
  } finally {
    await context.close();
  }
}

describe('Verify (seed step 9)', () => {
  it('fetches the discovery document over HTTPS (CA trusted) and reports the supported scopes', async () => {
    const b = await startBridge({
      discoveryUrl: `${secure.url}/${TID}/v2.0/.well-known/openid-configuration`,
      clientId: CONTOSO.bridge.appId,
      clientSecret: CONTOSO.bridge.secret,
      verificationCode: 'vc-5f2a9c',
      ca: secure.caPem!,
    });
    bridges.push(b);
    await expect(b.verify()).resolves.toEqual({
      ok: true,
      scopesSupported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${secure.url}/${TID}/v2.0`,
    });
    expect(b.status().verified).toMatchObject({ ok: true });
    expect(b.status().errors).toEqual([]);
  });

  it('an unknown tenant: AADSTS90002, surfaced with its code (POST /verify answers JSON)', async () => {
    const b = await startBridge({
      discoveryUrl: `${secure.url}/contoso-typo.onmicrosoft.com/v2.0/.well-known/openid-configuration`,
      clientId: CONTOSO.bridge.appId,
      clientSecret: CONTOSO.bridge.secret,
      verificationCode: 'vc-5f2a9c',
      ca: secure.caPem!,
    });
    bridges.push(b);
    const res = await fetch(`${b.url}/verify`, { method: 'POST' });
    expect(res.status).toBe(200);
    const verified = (await res.json()) as { ok: boolean; error: Record<string, unknown> };
    expect(verified.ok).toBe(false);
    expect(verified.error).toMatchObject({ phase: 'verify', error: 'invalid_tenant', aadsts: 90002, status: 400 });
    expect(String(verified.error.description)).toMatch(/^AADSTS90002: Tenant 'contoso-typo\.onmicrosoft\.com' not found/);
    expect(b.status().lastError).toMatchObject({ phase: 'verify', aadsts: 90002 });
    const html = await (await fetch(b.url)).text();
    expect(html).toContain('data-aadsts="90002"');
  });

  it('without the CA the HTTPS mock is not trusted: a clear verify error, no crash', async () => {
    const b = await startBridge({
      discoveryUrl: `${secure.url}/${TID}/v2.0/.well-known/openid-configuration`,
      clientId: CONTOSO.bridge.appId,
      clientSecret: CONTOSO.bridge.secret,
      verificationCode: 'vc-5f2a9c',
    });
    bridges.push(b);
    const v = await b.verify();
    expect(v).toMatchObject({ ok: false, error: { phase: 'verify' } });
    expect(v?.ok === false && v.error.description).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|certificate/i);
  });
});

describe('SSO with just-in-time provisioning', () => {
  it('Adele signs in: mapped attributes, her security group from the groups claim (SecurityGroup), exactly', async () => {
    const b = await bridgeOn();
    expect(b.redirectUri).toBe(`${b.url}/sso/callback/vc-5f2a9c`);
    await signIn(b, adele.upn, async (page) => {
      await expect(page.locator('#signed-in').getAttribute('data-subject')).resolves.toBe(adele.id);
    });
    const [user, ...others] = b.status().users;
    expect(others).toEqual([]);
    expect(user).toEqual({
      subject: adele.id,
      attributes: { subject: adele.id, username: adele.upn, email: adele.mail, name: 'Adele Vance' },
      groups: [CONTOSO.groups.engineering],
      groupSource: 'claim',
      provisionedAt: expect.any(String),
      lastLoginAt: expect.any(String),
    });
    expect(b.status().errors).toEqual([]);
    const api = await fetch(`${b.url}/api/users/${adele.id}`);
    expect(api.status).toBe(200);
    await expect(api.json()).resolves.toEqual(user);
    expect((await fetch(`${b.url}/api/users/nobody`)).status).toBe(404);

    // A second sign-in updates lastLoginAt and keeps provisionedAt.
    await signIn(b, adele.upn, async () => undefined);
    const again = b.status().users;
    expect(again).toHaveLength(1);
    expect(again[0]!.provisionedAt).toBe(user!.provisionedAt);
    expect(Date.parse(again[0]!.lastLoginAt)).toBeGreaterThanOrEqual(Date.parse(user!.lastLoginAt));
  });

  it('the authorize request: state, nonce, PKCE S256, response_mode query, openid profile email + Graph User.Read', async () => {
    const b = await bridgeOn();
    const res = await fetch(b.loginUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${plain.url}/${TID}/oauth2/v2.0/authorize`);
    const p = Object.fromEntries(to.searchParams);
    expect(p).toMatchObject({
      client_id: CONTOSO.bridge.appId,
      response_type: 'code',
      redirect_uri: `${b.url}/sso/callback/vc-5f2a9c`,
      response_mode: 'query',
      scope: 'openid profile email User.Read',
      code_challenge_method: 'S256',
    });
    expect(p.state).toMatch(/^[\w-]{43}$/);
    expect(p.nonce).toMatch(/^[\w-]{43}$/);
    expect(p.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(b.status().requestedScopes).toEqual(['openid', 'profile', 'email', 'User.Read']);
  });

  it('a user without mail gets email null; a custom attribute mapping applies', async () => {
    const b = await bridgeOn({ attributeMapping: { subject: 'oid', username: 'preferred_username', email: 'email', tenant: 'tid', given: 'given_name' } });
    await signIn(b, megan.upn, async () => undefined);
    expect(b.status().users).toEqual([
      expect.objectContaining({
        subject: megan.id,
        attributes: { subject: megan.id, username: megan.upn, email: null, tenant: TID, given: null },
        groups: [CONTOSO.groups.dataStewards],
        groupSource: 'claim',
      }),
    ]);
  });

  it('groupSync off: the user is provisioned without groups; the scopes stay openid profile email', async () => {
    const b = await bridgeOn({ groupSync: false });
    expect(b.status().requestedScopes).toEqual(['openid', 'profile', 'email']);
    await signIn(b, adele.upn, async () => undefined);
    expect(b.status().users[0]).toMatchObject({ subject: adele.id, groups: [], groupSource: 'none' });
    await expect(b.syncGroups()).resolves.toMatchObject({ ok: false, error: { phase: 'group-sync', error: 'group_sync_disabled' } });
  });

  it('seed step 6 — the client ID pasted as the secret: AADSTS7000215 at code redemption, shown to the user (HTTP 400), nobody provisioned', async () => {
    const b = await bridgeOn({ clientSecret: CONTOSO.bridge.appId });
    let callbackStatus = 0;
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      page.on('response', (r) => {
        if (r.url().startsWith(`${b.url}/sso/callback/`)) callbackStatus = r.status();
      });
      await page.goto(b.loginUrl);
      await pickAccount(page, adele.upn);
      const err = page.locator('#bridge-error');
      await expect(err.getAttribute('data-aadsts')).resolves.toBe('7000215');
      await expect(err.textContent()).resolves.toMatch(/AADSTS7000215: Invalid client secret provided\./);
    } finally {
      await context.close();
    }
    expect(callbackStatus).toBe(400);
    const s = b.status();
    expect(s.users).toEqual([]);
    expect(s.lastError).toMatchObject({ phase: 'token', error: 'invalid_client', aadsts: 7000215, status: 401 });
  });

  it('an expired secret: AADSTS7000222 on code redemption and on group sync', async () => {
    const b = await bridgeOn({ clientSecret: CONTOSO.bridge.expiredSecret });
    await signIn(b, adele.upn, async (page) => {
      await expect(page.locator('#bridge-error').getAttribute('data-aadsts')).resolves.toBe('7000222');
    });
    expect(b.status().lastError).toMatchObject({ phase: 'token', error: 'invalid_client', aadsts: 7000222, status: 401 });
    const sync = await b.syncGroups();
    expect(sync).toMatchObject({ ok: false, groups: 0, pages: 0, error: { phase: 'group-sync', error: 'invalid_client', aadsts: 7000222 } });
    expect(b.status().lastError).toMatchObject({ phase: 'group-sync', aadsts: 7000222 });
    expect(b.status().errors.map((e) => [e.phase, e.aadsts])).toEqual([
      ['token', 7000222],
      ['group-sync', 7000222],
    ]);
    expect(b.status().users).toEqual([]);
  });

  it('seed steps 14–15 — a redirect URI without the verification code: the browser stays on the mock error page (AADSTS50011); no callback reaches the bridge', async () => {
    const b = await bridgeOn();
    await b.reconfigure({ redirectUri: `${b.url}/sso/callback` });
    expect(b.redirectUri).toBe(`${b.url}/sso/callback`);
    const hits: string[] = [];
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      page.on('request', (r) => {
        if (r.url().startsWith(`${b.url}/sso/`)) hits.push(r.url());
      });
      await page.goto(b.loginUrl);
      const message = page.locator('#error-message');
      await expect(message.getAttribute('data-aadsts')).resolves.toBe('50011');
      await expect(message.textContent()).resolves.toMatch(/^AADSTS50011: The redirect URI '.*\/sso\/callback' specified in the request does not match/);
      expect(new URL(page.url()).origin).toBe(plain.url);
    } finally {
      await context.close();
    }
    expect(hits).toEqual([]);
    expect(b.status().errors).toEqual([]);
    expect(b.status().users).toEqual([]);
  });

  it('a callback to another verification code is rejected with a clear error', async () => {
    const b = await bridgeOn();
    const res = await fetch(`${b.url}/sso/callback/vc-000000?code=abc&state=xyz`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('invalid_verification_code');
    expect(b.status().lastError).toMatchObject({ phase: 'callback', error: 'invalid_verification_code' });
    const unknownState = await fetch(`${b.url}/sso/callback/vc-5f2a9c?code=abc&state=xyz`);
    expect(unknownState.status).toBe(400);
    expect(b.status().lastError).toMatchObject({ phase: 'callback', error: 'invalid_state' });
  });

  it('a refused redirect (error + error_description on the callback) is recorded with its AADSTS code', async () => {
    const b = await bridgeOn();
    const login = new URL((await fetch(b.loginUrl, { redirect: 'manual' })).headers.get('location')!);
    const state = login.searchParams.get('state')!;
    const q = new URLSearchParams({ error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.', state });
    const res = await fetch(`${b.url}/sso/callback/vc-5f2a9c?${q}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('data-aadsts="65004"');
    expect(b.status().lastError).toMatchObject({ phase: 'authorize', error: 'access_denied', aadsts: 65004 });
  });

  it('the page escapes what it shows', async () => {
    const b = await bridgeOn({ verificationCode: '<script>alert(1)</script>' });
    const html = await (await fetch(b.url)).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(CONTOSO.bridge.secret);
    expect(JSON.stringify(b.status())).not.toContain(CONTOSO.bridge.secret);
  });
});

describe('the browser session (GET /me)', () => {
  it("a successful callback sets the session cookie: an id by default, the subject and groups with sessionCookie 'claims'; no cookie, 401", async () => {
    for (const mode of ['id', 'claims'] as const) {
      const bridge = await bridgeOn({ sessionCookie: mode });
      await signIn(bridge, adele.upn, async (page) => {
        const cookie = (await page.context().cookies(bridge.url)).find((c) => c.name === 'bridge_session');
        expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
        if (mode === 'claims')
          expect(JSON.parse(Buffer.from(cookie!.value, 'base64url').toString('utf8'))).toEqual({ sub: adele.id, groups: [CONTOSO.groups.engineering] });
        else expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
        const me = await page.goto(`${bridge.url}/me`);
        expect(me?.status()).toBe(200);
        expect(((await me?.json()) as { subject: string }).subject).toBe(adele.id);
      });
      const anonymous = await fetch(`${bridge.url}/me`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({
        error: 'not_signed_in',
        description: 'No bridge session cookie in this request (or one the bridge does not know).',
      });
    }
  });
});

describe('the state cookie (stateCookie: true)', () => {
  it('/login sets bridge_state (HttpOnly, SameSite=Lax) to the state it sends; a callback without it is state_cookie_missing, with another one state_cookie_mismatch', async () => {
    const bridge = await bridgeOn({ stateCookie: true });
    const start = async () => {
      const login = await fetch(bridge.loginUrl, { redirect: 'manual' });
      const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
      return { state, setCookie: login.headers.get('set-cookie') };
    };
    const first = await start();
    expect(first.setCookie).toBe(`bridge_state=${first.state}; Path=/; HttpOnly; SameSite=Lax`);
    const callback = (state: string, cookie?: string) =>
      fetch(`${bridge.url}/sso/callback/vc-5f2a9c?code=abc&state=${state}`, cookie ? { headers: { cookie } } : {});
    expect((await callback(first.state)).status).toBe(400);
    expect(bridge.status().lastError).toMatchObject({ phase: 'callback', error: 'state_cookie_missing' });
    const second = await start();
    expect((await callback(second.state, `bridge_state=${first.state}`)).status).toBe(400);
    expect(bridge.status().lastError).toMatchObject({ phase: 'callback', error: 'state_cookie_mismatch' });
  });
});

describe('the page', () => {
  it('GET / shows config, verify result, groups, users, last error; form posts redirect back', async () => {
    const b = await bridgeOn();
    const verify = await fetch(`${b.url}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(verify.status).toBe(303);
    expect(verify.headers.get('location')).toBe('/');
    const html = await (await fetch(b.url)).text();
    expect(html).toContain('id="verify-result" class="ok" data-ok="true"');
    expect(html).toContain(CONTOSO.bridge.appId);
    expect(html).toContain(`${b.url}/sso/callback/vc-5f2a9c`);
    const status = await (await fetch(`${b.url}/api/status`)).json();
    expect(status).toMatchObject({
      config: { clientId: CONTOSO.bridge.appId, groupSync: true, scopes: ['openid', 'profile', 'email'] },
      users: [],
      groups: [],
      errors: [],
    });
    expect(status.config).not.toHaveProperty('clientSecret');
  });

  it('reconfigure: a new secret takes effect on the next redemption', async () => {
    const b = await bridgeOn({ clientSecret: CONTOSO.bridge.appId });
    await b.reconfigure({ clientSecret: CONTOSO.bridge.secret });
    await signIn(b, adele.upn, async (page) => {
      await expect(page.locator('#signed-in').count()).resolves.toBe(1);
    });
    await expect(b.reconfigure({ port: 1 })).rejects.toThrow(/port cannot change/);
  });
});
