import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { serveMock, T, type ServedMock } from './control-support.js';
import { ADELE, BRIDGE_QUERY, authorizePath } from './sign-in-support.js';

/**
 * Issue 9 item 4 — the sign-in pages may not be framed (X-Frame-Options: DENY, frame-ancestors
 * 'none'), but silent renewal in a hidden iframe (msal-browser's ssoSilent, prompt=none) must keep
 * working: it is answered by a redirect, not a page. In Chromium: an app page on
 * http://localhost:<app> frames /authorize?prompt=none of the mock on http://localhost:<mock>
 * (same site, so the Lax session cookie of plain HTTP rides along), and gets its code back in the
 * frame; the same frame asking for the sign-in page is blocked by the browser.
 */
let s: ServedMock;
let app: Server;
let appOrigin: string;
let browser: Browser;

const CALLBACK = '/sso/callback/vc-5f2a9c'; // the bridge's registered path; any localhost port matches

beforeAll(async () => {
  s = await serveMock();
  app = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (url.pathname === '/app') {
      const src = `http://localhost:${s.port}${authorizePath(T, { ...BRIDGE_QUERY, redirect_uri: `${appOrigin}${CALLBACK}`, ...Object.fromEntries(url.searchParams) })}`;
      res.end(`<!DOCTYPE html><html><body><iframe id="silent" style="display:none" src="${src.replace(/&/g, '&amp;')}"></iframe></body></html>`);
    } else res.end('<!DOCTYPE html><html><body><p id="back">back at the app</p></body></html>');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://localhost:${(app.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => app?.close(resolve));
  await s?.close();
});

/** Loads the app page with its iframe and waits until the frame has finished loading. */
async function framed(page: Page, query: Record<string, string>): Promise<Frame> {
  await page.goto(`${appOrigin}/app?${new URLSearchParams(query).toString()}`, { waitUntil: 'load' });
  const handle = await page.waitForSelector('#silent', { state: 'attached' });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('no iframe');
  await frame.waitForLoadState('load');
  return frame;
}

describe('silent sign-in in a hidden iframe (Chromium)', () => {
  it('prompt=none in an iframe returns the code to the app’s redirect URI inside the frame; the framed sign-in page is refused by the browser', async () => {
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      // A first, top-level sign-in gives the browser its session cookie.
      await page.goto(
        `http://localhost:${s.port}${authorizePath(T, { ...BRIDGE_QUERY, redirect_uri: `${appOrigin}${CALLBACK}`, login_hint: ADELE, mock_login: 'auto' })}`,
        { waitUntil: 'load' },
      );
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();

      const silent = await framed(page, { prompt: 'none', state: 'silent-1' });
      const back = new URL(silent.url());
      expect(`${back.origin}${back.pathname}`).toBe(`${appOrigin}${CALLBACK}`);
      expect(back.searchParams.get('code')).toBeTruthy();
      expect(back.searchParams.get('state')).toBe('silent-1');

      // The sign-in page itself (prompt=login) does not render inside the frame.
      const blocked = await framed(page, { prompt: 'login' });
      expect(blocked.url()).toMatch(/^chrome-error:/);
      const text = await blocked.evaluate('document.body ? document.body.innerText : ""').catch(() => '');
      expect(String(text)).not.toContain('Pick an account');
    } finally {
      await context.close();
    }
  });
});
