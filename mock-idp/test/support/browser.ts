import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { trustingFetch } from './real-clients.js';
import { CHROMIUM_ARGS, findChromium } from '../../src/testing.js';

/**
 * Chromium for the real-client tests (DESIGN.md §5): playwright-core driving the system's
 * Chromium — $MOCK_ENTRA_CHROMIUM, else `chromium` (or `chromium-browser`) on PATH — and
 * Playwright's own browser when neither exists.
 *
 * Trusting the mock's CA: Chromium does not read NODE_EXTRA_CA_CERTS; on Linux it trusts the
 * NSS database (certutil) or enterprise policy, both machine/user state a test must not touch.
 * Certificate errors are never ignored here (`ignoreHTTPSErrors: false`). Instead, a test either
 * runs the mock on plain HTTP (`tls: false`, see the openid-client suite), or — where the client
 * library insists on an https authority (MSAL) — passes `trust`: the browser's requests to the
 * mock's origin are then carried out by Node over TLS verified against the mock's CA, and handed
 * back to the page (Playwright request routing). Either way no certificate check is skipped.
 */

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  return chromium.launch({ ...(executablePath ? { executablePath } : {}), headless: true, args: [...CHROMIUM_ARGS] });
}

export interface ContextOptions {
  /** Reach this https origin through Node, verifying its certificate against `caPem`. */
  trust?: { origin: string; caPem: string };
}

/** A fresh context (its own cookies: a new browser session). Certificate errors are never ignored. */
export async function newBrowserContext(browser: Browser, options: ContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: false });
  if (options.trust) await routeThroughTrustedNode(context, options.trust.origin, options.trust.caPem);
  return context;
}

async function routeThroughTrustedNode(context: BrowserContext, origin: string, caPem: string): Promise<void> {
  const fetch = trustingFetch(caPem);
  await context.route(
    (url) => url.origin === origin,
    async (route) => {
      const request = route.request();
      const headers: Record<string, string> = { ...request.headers() };
      // The browser's own cookie jar stays the source of truth: send what it holds for the URL…
      delete headers.cookie;
      const cookies = await context.cookies(request.url());
      if (cookies.length > 0) headers.cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const body = request.postDataBuffer();
      const response = await fetch(request.url(), { method: request.method(), headers, ...(body ? { body } : {}) });
      // …and let it store what the mock sets (Playwright splits set-cookie on newlines).
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') out[name] = value;
      });
      const setCookies = response.headers.getSetCookie();
      if (setCookies.length > 0) out['set-cookie'] = setCookies.join('\n');
      await route.fulfill({ status: response.status, headers: out, body: Buffer.from(await response.arrayBuffer()) });
    },
  );
}
