import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { solidPng } from '../graph/png-image.js';

/**
 * Microsoft Graph from a single-page app, in Chromium: a page on another origin (a tiny HTTP
 * server on another port) signs Adele in through the mock's SPA flow (OpenMetadata UI's SPA
 * redirect URI, PKCE, the code redeemed by the page's own cross-origin `fetch`), then calls
 * `fetch(<mock>/v1.0/me, { headers: { Authorization } })` — which makes the browser send a CORS
 * preflight first. Graph's CORS answers let the page read its data, its photo and its refusals;
 * the test-control API under /_mock stays unreadable to the page ("Failed to fetch").
 *
 * The mock runs on plain HTTP (see openid-client.test.ts: Chromium is never told to ignore a
 * certificate); `http://localhost:<port>` matches the registered `http://localhost:8585/callback`
 * whatever the port (Entra's localhost exception).
 */

const { adele } = CONTOSO.users;
const UI = CONTOSO.openMetadataUi;
const PNG = solidPng(96);

let mock: RunningMockEntra;
let spa: Server;
let spaOrigin: string;
let browser: Browser;
let tenantId: string;

beforeAll(async () => {
  [mock, browser] = await Promise.all([startMockEntra({ port: 0, tls: false }), launchChromium()]);
  // Contoso under another id, with a photo for Adele.
  const { fixture } = await mock.control.getTenant(CONTOSO.tenantId);
  tenantId = '5d0c3f5e-7a61-4c35-9d0e-0b1e6a2f4c77';
  await mock.control.createTenant({
    ...fixture,
    id: tenantId,
    displayName: 'Contoso with photos',
    verifiedDomains: ['photos-contoso.onmicrosoft.com'],
    users: fixture.users!.map((u) =>
      u.id === adele.id ? { ...u, photo: { contentType: 'image/png', base64: PNG.toString('base64'), width: 96, height: 96 } } : u,
    ),
  });
  // The SPA: one page, the callback, that does nothing by itself (the test drives it).
  spa = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!DOCTYPE html><html><head><title>SPA</title></head><body><p id="spa">SPA</p></body></html>');
  });
  await new Promise<void>((resolve) => spa.listen(0, '127.0.0.1', resolve));
  spaOrigin = `http://localhost:${(spa.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => spa?.close(resolve));
  await mock?.close();
});

/** What the page's script reports back: statuses, bodies and the headers it could read. */
interface PageResults {
  me: { status: number; body: Record<string, unknown>; requestId: string | null };
  userinfo: { status: number; body: Record<string, unknown> };
  photo: { status: number; type: string; size: number; etag: string | null };
  refused: { status: number; body: { error: { code: string } }; requestId: string | null; wwwAuthenticate: string | null };
  control: string;
}

describe('Graph from a browser (Chromium, another origin)', () => {
  it('an SPA reads /v1.0/me, /oidc/userinfo, its photo and a 401 with an Authorization header; /_mock fails to fetch', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = `${spaOrigin}${new URL(UI.redirectUri).pathname}`;
    const authorize = new URL(`${mock.url}/${tenantId}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: UI.appId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid profile User.Read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'spa-state',
      login_hint: adele.upn,
      mock_login: 'auto',
    }).toString();

    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(authorize.href);
      await page.waitForURL((url) => url.origin === spaOrigin);
      const back = new URL(page.url());
      expect(back.searchParams.get('state')).toBe('spa-state');
      const code = back.searchParams.get('code');
      expect(code).toBeTruthy();

      const results = await page.evaluate(
        async ({ mockUrl, tenant, clientId, code, verifier, redirectUri }): Promise<PageResults> => {
          const token = await fetch(`${mockUrl}/${tenant}/oauth2/v2.0/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: redirectUri }),
          });
          const { access_token: accessToken } = (await token.json()) as { access_token: string };
          const authorization = { Authorization: `Bearer ${accessToken}` };

          const me = await fetch(`${mockUrl}/v1.0/me`, { headers: authorization });
          const userinfo = await fetch(`${mockUrl}/oidc/userinfo`, { headers: authorization });
          const userinfoBody = (await userinfo.json()) as Record<string, unknown>;
          // The way SPAs show a user's photo: fetch the picture URL with the token, then a blob.
          const photo = await fetch(String(userinfoBody.picture), { headers: authorization });
          const blob = await photo.blob();
          const refused = await fetch(`${mockUrl}/v1.0/me`, { headers: { Authorization: 'Bearer not-a-token', 'client-request-id': crypto.randomUUID() } });
          let control: string;
          try {
            const r = await fetch(`${mockUrl}/_mock/tenants/${tenant}`);
            control = `read ${r.status}`;
          } catch (e) {
            control = `${(e as Error).name}: ${(e as Error).message}`;
          }
          return {
            me: { status: me.status, body: (await me.json()) as Record<string, unknown>, requestId: me.headers.get('request-id') },
            userinfo: { status: userinfo.status, body: userinfoBody },
            photo: { status: photo.status, type: blob.type, size: blob.size, etag: photo.headers.get('etag') },
            refused: {
              status: refused.status,
              body: (await refused.json()) as { error: { code: string } },
              requestId: refused.headers.get('request-id'),
              wwwAuthenticate: refused.headers.get('www-authenticate'),
            },
            control,
          };
        },
        { mockUrl: mock.url, tenant: tenantId, clientId: UI.appId, code: code!, verifier, redirectUri },
      );

      expect(results.me.status).toBe(200);
      expect(results.me.body).toMatchObject({ displayName: 'Adele Vance', userPrincipalName: adele.upn, id: adele.id });
      // Exposed headers are readable by the page.
      expect(results.me.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(results.userinfo).toMatchObject({ status: 200, body: { name: 'Adele Vance', picture: `${mock.url}/v1.0/me/photo/$value` } });
      expect(results.photo).toMatchObject({ status: 200, type: 'image/png', size: PNG.length });
      expect(results.photo.etag).toMatch(/^"[0-9A-F]{8}"$/);
      expect(results.refused.status).toBe(401);
      expect(results.refused.body.error.code).toBe('InvalidAuthenticationToken');
      expect(results.refused.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(results.refused.wwwAuthenticate).toContain('client_id="00000003-0000-0000-c000-000000000000"');
      expect(results.control).toBe('TypeError: Failed to fetch');
    } finally {
      await context.close();
    }
  });
});
