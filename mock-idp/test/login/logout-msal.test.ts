import { randomUUID } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, CONTOSO, ORIGIN, authorize, BRIDGE_AUTH, decodePart, json } from '../support/mock-app.js';
import { newTenant } from '../errors/flows.js';
import { dotnetUrlEncode } from '../../src/errors/render.js';

/**
 * Logout as MSAL.js sends it (issue 11 §2): `post_logout_redirect_uri`, `client-request-id`,
 * `logout_hint` from the ID token's `login_hint` claim, no `client_id`. The session remembers the
 * apps it signed in to: it returns to one of their redirect URIs, and the signed-out page loads
 * their front-channel logout URLs with `iss` and `sid`. In a tenant of its own whose bridge
 * asks for the login_hint claim and registers a front-channel logout URL.
 */

let m: TestMock;
let tid: string;
const LOGOUT_URL = 'https://bridge.contoso.example/signout-oidc';
const BRIDGE = CONTOSO.bridge;
const UI = CONTOSO.openMetadataUi;

beforeAll(async () => {
  m = await mockApp();
  tid = await newTenant(m, (f) => {
    const bridge = f.applications!.find((a) => a.appId === BRIDGE.appId)!;
    bridge.optionalClaims = { ...bridge.optionalClaims, idToken: [...(bridge.optionalClaims?.idToken ?? []), { name: 'login_hint' }] };
    bridge.web = { ...bridge.web, logoutUrl: LOGOUT_URL };
  });
});
afterAll(() => m.close());

const logout = (q: Record<string, string>, cookie?: string) =>
  m.inject({ method: 'GET', url: `/${tid}/oauth2/v2.0/logout?${new URLSearchParams(q)}`, headers: cookie ? { cookie } : {} });

/** Signs `upn` in to the bridge; the ID token from the code and the browser's cookie (`cookie` adds to an earlier one). */
async function signIn(upn: string, cookie?: string): Promise<{ idToken: Record<string, unknown>; cookie: string }> {
  const r = await authorize(m, { ...BRIDGE_AUTH, login_hint: upn, prompt: 'login' }, { tenant: tid, ...(cookie ? { cookie } : {}) });
  const t = await m.form(`/${tid}/oauth2/v2.0/token`, {
    grant_type: 'authorization_code',
    client_id: BRIDGE.appId,
    client_secret: BRIDGE.secret,
    code: r.params.get('code')!,
    redirect_uri: BRIDGE.redirectUri,
  });
  return { idToken: decodePart(String(json(t).id_token), 1), cookie: r.cookie! };
}

const msalLogout = (idToken: Record<string, unknown>, postLogout: string) => ({
  post_logout_redirect_uri: postLogout,
  'client-request-id': randomUUID(),
  logout_hint: String(idToken.login_hint),
});

describe('logout as MSAL.js sends it', () => {
  it('emits the login_hint optional claim, and the sign-in page takes it as login_hint', async () => {
    const { idToken } = await signIn(CONTOSO.users.adele.upn);
    expect(typeof idToken.login_hint).toBe('string');
    const again = await authorize(m, { ...BRIDGE_AUTH, login_hint: String(idToken.login_hint) }, { tenant: tid });
    expect(again.params.get('code')).toBeTruthy();
  });

  it('returns to a redirect URI of an app the session signed in to, and loads its front-channel logout URL with iss and sid', async () => {
    const { idToken, cookie } = await signIn(CONTOSO.users.adele.upn);
    const r = await logout({ ...msalLogout(idToken, BRIDGE.redirectUri), state: 'bye' }, cookie);
    expect(r.statusCode).toBe(200);
    expect(String(r.headers['set-cookie'])).toMatch(/^ESTSAUTH=; .*Max-Age=0/);
    const frame = `${LOGOUT_URL}?iss=${dotnetUrlEncode(`${ORIGIN}/${tid}/v2.0`)}&sid=${String(idToken.sid)}`;
    expect(r.body).toContain(`<iframe hidden class="front-channel-logout" title="Sign out of an app" src="${frame.replace(/&/g, '&amp;')}"></iframe>`);
    expect(r.body).toContain(`<meta http-equiv="refresh" content="1;url=${BRIDGE.redirectUri}?state=bye" />`);
    expect(String(r.headers['content-security-policy'])).toContain('frame-src http: https:');
  });

  it('without a session, stays on the signed-out page (no redirect, no frames)', async () => {
    const { idToken } = await signIn(CONTOSO.users.adele.upn);
    const r = await logout(msalLogout(idToken, BRIDGE.redirectUri));
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('You signed out of your account');
    expect(r.body).not.toContain('<iframe');
    expect(r.body).not.toContain('http-equiv="refresh"');
  });

  it('a redirect URI of an app the session did not sign in to: the signed-out page', async () => {
    const { idToken, cookie } = await signIn(CONTOSO.users.adele.upn);
    const r = await logout(msalLogout(idToken, UI.redirectUri), cookie);
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('http-equiv="refresh"');
    expect(r.body).toContain('<iframe hidden');
  });

  it('logout_hint signs out only the account it names', async () => {
    const adele = await signIn(CONTOSO.users.adele.upn);
    const megan = await signIn(CONTOSO.users.megan.upn, adele.cookie);
    const r = await logout(msalLogout(megan.idToken, BRIDGE.redirectUri), megan.cookie);
    const left = String(r.headers['set-cookie']).split(';')[0]!;
    expect(left).not.toBe('ESTSAUTH=');
    // Adele is still signed in: prompt=none is silent for her, and asks Megan to sign in.
    const { mock_login: _a, ...q } = BRIDGE_AUTH;
    const silentAdele = await authorize(m, { ...q, login_hint: CONTOSO.users.adele.upn, prompt: 'none' }, { tenant: tid, cookie: left });
    expect(silentAdele.params.get('code')).toBeTruthy();
    const silentMegan = await authorize(m, { ...q, login_hint: CONTOSO.users.megan.upn, prompt: 'none' }, { tenant: tid, cookie: left });
    expect(silentMegan.params.get('error')).toBe('login_required');
  });

  it('an app without a front-channel logout URL is answered by a plain redirect', async () => {
    const r0 = await authorize(m, BRIDGE_AUTH);
    const r = await m.inject({
      method: 'GET',
      url: `/${CONTOSO.tenantId}/oauth2/v2.0/logout?${new URLSearchParams({ post_logout_redirect_uri: BRIDGE.redirectUri, 'client-request-id': randomUUID() })}`,
      headers: { cookie: r0.cookie! },
    });
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe(BRIDGE.redirectUri);
  });
});

describe('the SSO cookie with the apps it signed in to', () => {
  it('stays under browsers’ 4 KiB with the most accounts and apps it keeps (8 × 4, appIds packed)', async () => {
    const { writeSessions } = await import('../../src/protocol/sso-session.js');
    const accounts = Array.from({ length: 8 }, () => ({
      tid: randomUUID(),
      inc: randomUUID(),
      uid: randomUUID(),
      sid: randomUUID(),
      authTime: 1_900_000_000,
      seen: 1_900_000_000,
      apps: Array.from({ length: 4 }, () => Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url')),
    }));
    let cookie = '';
    const reply = { header: (_name: string, value: string) => ((cookie = value), reply) };
    writeSessions(reply as never, m.ctx.sealer, accounts, true);
    expect(cookie.length).toBeLessThan(4096);
  });
});
