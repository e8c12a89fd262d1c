import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import { startMockEntra } from '../../src/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleSecrets, PAGE_TOKEN_LIFETIME_MS } from '../../src/surfaces/console/console-session.js';
import { CONSOLE_CSP } from '../../src/views/console/console-page.js';
import { mockApp, T, type TestMock } from '../support/mock-app.js';

/**
 * The console's protection (surfaces/console/index.ts): the control API's guard, the login page
 * and its cookie for callers beyond loopback, the page token on every action, and the headers
 * that keep its pages out of other sites' frames and scripts.
 */

const TOKEN = 'console-test-credential-0123456789abcdef';
const REMOTE = '10.1.2.3';
let mock: TestMock;

beforeAll(async () => {
  mock = await mockApp({ controlToken: TOKEN });
});
afterAll(() => mock.close());

const pageTokenOf = (r: LightMyRequestResponse): string => /<meta name="console-token" content="([^"]+)">/.exec(r.body)![1]!;
const errorOf = (r: LightMyRequestResponse): { code: string; message: string } => (JSON.parse(r.body) as { error: { code: string; message: string } }).error;

async function action(path: string, body: unknown, headers: Record<string, string>, remoteAddress?: string): Promise<LightMyRequestResponse> {
  return mock.inject({
    method: 'POST',
    url: path,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

describe('console: loopback callers', () => {
  it('serves the tenants page with a strict CSP, X-Frame-Options DENY and a page token', async () => {
    const r = await mock.inject('/_mock/ui');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toMatch(
      /^default-src 'none'; script-src 'sha256-[\w+/=]+'; style-src 'sha256-[\w+/=]+'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
    );
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(pageTokenOf(r)).toMatch(/^\d+\.[\w-]{43}$/);
    expect(r.body).not.toMatch(/<script src|<link /);
  });

  it('refuses an action without the page token, with a forged one, and as a form post', async () => {
    const path = `/_mock/ui/tenants/${T}/log/clear`;
    const none = await action(path, {}, {});
    expect(none.statusCode).toBe(403);
    expect(errorOf(none)).toEqual({
      code: 'Forbidden',
      message: 'Refused a console action without a valid page token (X-Console-Token): reload the page and try again.',
    });
    const forged = await action(path, {}, { 'x-console-token': `${Date.now()}.${'A'.repeat(43)}` });
    expect(forged.statusCode).toBe(403);
    const token = pageTokenOf(await mock.inject('/_mock/ui'));
    const form = await mock.inject({
      method: 'POST',
      url: path,
      payload: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-console-token': token },
    });
    expect(form.statusCode).toBe(403);
    expect(errorOf(form).message).toMatch(/^Refused a POST with Content-Type application\/x-www-form-urlencoded/);
    const ok = await action(path, {}, { 'x-console-token': token });
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ message: 'The log is empty.' });
  });

  it("refuses other sites' pages and rebound host names", async () => {
    const crossSite = await mock.inject({ url: '/_mock/ui', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain('Refused a request from a web page (Sec-Fetch-Site: cross-site)');
    const sameSite = await mock.inject({ url: '/_mock/ui', headers: { 'sec-fetch-site': 'same-site' } });
    expect(sameSite.statusCode).toBe(403);
    const token = pageTokenOf(await mock.inject('/_mock/ui'));
    const origin = await action(`/_mock/ui/tenants/${T}/reset`, {}, { 'x-console-token': token, origin: 'https://evil.example' });
    expect(origin.statusCode).toBe(403);
    expect(errorOf(origin).message).toMatch(/^Refused a request from origin https:\/\/evil\.example/);
    const rebound = await mock.inject({ url: '/_mock/ui', headers: { host: 'rebind.evil.example' } });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.body).toContain('Refused Host rebind.evil.example');
    // Refusals carry the same headers: never framed.
    expect(rebound.headers['x-frame-options']).toBe('DENY');
  });
});

describe('console: callers beyond loopback', () => {
  it('shows the login page (401) instead of the console', async () => {
    const r = await mock.inject({ url: '/_mock/ui', remoteAddress: REMOTE });
    expect(r.statusCode).toBe(401);
    expect(r.body).toContain('<h1>Sign in to the console</h1>');
    expect(r.body).toContain('<input type="password" name="token" autocomplete="current-password" required />');
    const page = await mock.inject({ url: `/_mock/ui/tenants/${T}`, remoteAddress: REMOTE });
    expect(page.statusCode).toBe(401);
    const feed = await mock.inject({ url: `/_mock/ui/tenants/${T}/log/feed`, remoteAddress: REMOTE, headers: { accept: 'application/json' } });
    expect(feed.statusCode).toBe(401);
  });

  it('exchanges the right credential for an HttpOnly, SameSite=Strict cookie on /_mock/ui, and refuses a wrong one', async () => {
    const login = await mock.inject({ url: '/_mock/ui', remoteAddress: REMOTE });
    const token = pageTokenOf(login);
    const wrong = await action('/_mock/ui/login', { token: 'wrong' }, { 'x-console-token': token }, REMOTE);
    expect(wrong.statusCode).toBe(401);
    expect(errorOf(wrong).code).toBe('InvalidControlToken');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const noPageToken = await action('/_mock/ui/login', { token: TOKEN }, {}, REMOTE);
    expect(noPageToken.statusCode).toBe(403);

    const right = await action('/_mock/ui/login', { token: TOKEN }, { 'x-console-token': token }, REMOTE);
    expect(right.statusCode).toBe(200);
    expect(JSON.parse(right.body)).toEqual({ message: 'Signed in to the console.', location: '/_mock/ui' });
    const setCookie = String(right.headers['set-cookie']);
    expect(setCookie).toMatch(/^mock_entra_console=[\w-]{43}; Path=\/_mock\/ui; HttpOnly; Secure; SameSite=Strict$/);
    // The cookie is a MAC of the credential, not the credential.
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;

    const page = await mock.inject({ url: '/_mock/ui', remoteAddress: REMOTE, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Tenants</h1>');

    // Its page token is bound to the session: one shown without the cookie does not act with it, nor the reverse.
    const sessionToken = pageTokenOf(page);
    expect((await action(`/_mock/ui/tenants/${T}/log/clear`, {}, { 'x-console-token': token, cookie }, REMOTE)).statusCode).toBe(403);
    expect((await action(`/_mock/ui/tenants/${T}/log/clear`, {}, { 'x-console-token': sessionToken, cookie }, REMOTE)).statusCode).toBe(200);
    expect((await action(`/_mock/ui/tenants/${T}/log/clear`, {}, { 'x-console-token': sessionToken }, REMOTE)).statusCode).toBe(401);

    // A cookie never authorises the JSON API.
    const api = await mock.inject({ url: '/_mock/tenants', remoteAddress: REMOTE, headers: { cookie } });
    expect(api.statusCode).toBe(401);
    expect(errorOf(api).code).toBe('InvalidControlToken');

    // A cookie of another value is no session.
    const forged = await mock.inject({ url: '/_mock/ui', remoteAddress: REMOTE, headers: { cookie: `mock_entra_console=${'A'.repeat(43)}` } });
    expect(forged.statusCode).toBe(401);

    const logout = await action('/_mock/ui/logout', {}, { 'x-console-token': sessionToken, cookie }, REMOTE);
    expect(logout.statusCode).toBe(200);
    expect(String(logout.headers['set-cookie'])).toBe('mock_entra_console=; Max-Age=0; Path=/_mock/ui; HttpOnly; Secure; SameSite=Strict');
  });

  it('a mock without a control credential answers remote callers 403 and has no login to offer', async () => {
    const plain = await mockApp();
    try {
      const r = await plain.inject({ url: '/_mock/ui', remoteAddress: REMOTE });
      expect(r.statusCode).toBe(403);
      expect(r.body).toContain('The test-control API answers loopback callers only');
    } finally {
      await plain.close();
    }
  });
});

describe('console: page tokens', () => {
  it('expire after their lifetime and are bound to the mock that issued them', () => {
    const secrets = new ConsoleSecrets(TOKEN, true);
    const request = (token?: string) => ({ headers: token ? { 'x-console-token': token } : {} }) as unknown as FastifyRequest;
    const token = secrets.pageToken(request(), 1_000_000);
    expect(secrets.validPageToken(request(token), 1_000_000)).toBe(true);
    expect(secrets.validPageToken(request(token), 1_000_000 + PAGE_TOKEN_LIFETIME_MS - 1)).toBe(true);
    expect(secrets.validPageToken(request(token), 1_000_000 + PAGE_TOKEN_LIFETIME_MS)).toBe(false);
    expect(secrets.validPageToken(request(token), 999_999)).toBe(false);
    expect(new ConsoleSecrets(TOKEN, true).validPageToken(request(token), 1_000_000)).toBe(false);
    expect(secrets.sessionCookie()).toMatch(/; Secure; SameSite=Strict$/);
    expect(new ConsoleSecrets(TOKEN, false).sessionCookie()).toMatch(/^mock_entra_console=[\w-]{43}; Path=\/_mock\/ui; HttpOnly; SameSite=Strict$/);
  });
});

describe('console: impersonation mode', () => {
  it("is never served under Microsoft's host names, only under the mock's own", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'console-imp-'));
    const imp = await startMockEntra({ port: 0, stateDir: dir, impersonate: true });
    try {
      const port = new URL(imp.url).port;
      const get = (host: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port, path: '/_mock/ui', servername: host, headers: { host }, ca: imp.impersonation!.caPem }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString('utf8')));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      // Entra's 404 page on login, Graph's 400 on graph (impersonation/host-guard.ts): never the console.
      const login = await get('login.microsoftonline.com');
      expect(login.status).toBe(404);
      expect(login.body).not.toContain('console-token');
      const graph = await get('graph.microsoft.com');
      expect(graph.status).toBe(400);
      expect((JSON.parse(graph.body) as { error: { code: string } }).error.code).toBe('BadRequest');
      const own = await imp.app.inject({ url: '/_mock/ui' });
      expect(own.statusCode).toBe(200);
      expect(own.body).toContain('<meta name="console-token"');
    } finally {
      await imp.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
