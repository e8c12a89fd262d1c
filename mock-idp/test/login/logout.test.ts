import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, authorize, BRIDGE_AUTH } from '../support/mock-app.js';

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const logout = (q: Record<string, string>, cookie?: string) =>
  m.inject({ method: 'GET', url: `/${T}/oauth2/v2.0/logout?${new URLSearchParams(q)}`, headers: cookie ? { cookie } : {} });

describe('logout', () => {
  it('ends the session and redirects to a registered post_logout_redirect_uri with state', async () => {
    const signIn = await authorize(m, BRIDGE_AUTH);
    const r = await logout({ post_logout_redirect_uri: CONTOSO.bridge.redirectUri, client_id: CONTOSO.bridge.appId, state: 'bye' }, signIn.cookie);
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe(`${CONTOSO.bridge.redirectUri}?state=bye`);
    expect(String(r.headers['set-cookie'])).toMatch(/^ESTSAUTH=; .*Max-Age=0/);
    // The session is gone: prompt=none now needs a sign-in.
    const { mock_login: _a, ...q } = BRIDGE_AUTH;
    const silent = await authorize(m, { ...q, prompt: 'none' });
    expect(silent.params.get('error')).toBe('login_required');
  });

  it('shows the signed-out page, without redirect, for an unregistered post_logout_redirect_uri', async () => {
    const r = await logout({ post_logout_redirect_uri: 'https://evil.example.com/', client_id: CONTOSO.bridge.appId });
    expect(r.statusCode).toBe(200);
    expect(r.headers.location).toBeUndefined();
    expect(r.body).toContain('You signed out of your account');
  });

  // Changed on purpose (issue 11): Entra returns to post_logout_redirect_uri only when the user
  // had a session; id_token_hint alone, without one, stays on the signed-out page.
  it('knows the client from id_token_hint, and returns to it when the user had a session', async () => {
    const hint = `e30.${Buffer.from(JSON.stringify({ aud: CONTOSO.bridge.appId })).toString('base64url')}.x`;
    const signIn = await authorize(m, BRIDGE_AUTH);
    const r = await logout({ post_logout_redirect_uri: CONTOSO.bridge.redirectUri, id_token_hint: hint }, signIn.cookie);
    expect(r.statusCode).toBe(302);
    const noSession = await logout({ post_logout_redirect_uri: CONTOSO.bridge.redirectUri, id_token_hint: hint });
    expect(noSession.statusCode).toBe(200);
    expect(noSession.body).toContain('You signed out of your account');
  });

  it('shows the error page for an unknown tenant', async () => {
    const r = await m.inject('/4f3e2d1c-0000-4000-8000-000000000000/oauth2/v2.0/logout');
    expect(r.body).toContain('AADSTS90002');
  });
});
