import { chromium, type Browser, type BrowserContext, type BrowserServer } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../../mock-idp/src/testing.js';

/** Verifying the mock's certificate and pinning its key for Chromium lives with the client-side helpers. */
export { verifiedSpki } from '../../../mock-idp/src/testing.js';

/**
 * Chromium for the scenarios (DESIGN.md §5): playwright-core driving the system's Chromium —
 * $MOCK_ENTRA_CHROMIUM, else `chromium` (or `chromium-browser`) on PATH — and Playwright's own
 * browser when neither exists.
 *
 * One Chromium serves a whole run: the vitest global setup launches it as a browser server and
 * every worker connects to it; each scenario gets its own context (own cookies: a new browser
 * session), so scenarios run side by side without seeing each other's SSO cookie.
 *
 * Trusting an HTTPS mock: Chromium does not read NODE_EXTRA_CA_CERTS, and trusting a CA there
 * means writing the user's NSS database or a machine policy. Certificate errors are never
 * ignored wholesale (`ignoreHTTPSErrors: false`). Instead Node first connects to the mock and
 * verifies its certificate against the mock's CA, then Chromium is started with that one
 * certificate's public key pinned (`--ignore-certificate-errors-spki-list`, Chromium's switch
 * for exactly this): the mock's key is accepted, every other certificate is checked as usual.
 * (Routing the browser's requests through Node does not work for redirects: Chromium follows a
 * redirect to the mock without asking the route again.)
 */

export interface LaunchOptions {
  /** Base64 SHA-256 hashes of public keys (SPKI) to accept: see {@link verifiedSpki}. */
  pinnedSpki?: string[] | undefined;
  /** Chromium's `--host-resolver-rules` (e.g. `MAP login.microsoftonline.com:443 127.0.0.1:41234`): an impersonating mock under Microsoft's names. */
  hostResolverRules?: string | undefined;
}

function launchOptions(o: LaunchOptions): Parameters<typeof chromium.launch>[0] {
  const executablePath = findChromium();
  const pins = o.pinnedSpki?.length ? [`--ignore-certificate-errors-spki-list=${o.pinnedSpki.join(',')}`] : [];
  const rules = o.hostResolverRules ? [`--host-resolver-rules=${o.hostResolverRules}`] : [];
  return { ...(executablePath ? { executablePath } : {}), headless: true, args: [...CHROMIUM_ARGS, ...pins, ...rules] };
}

/** A Chromium for this process only. */
export function launchChromium(o: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch(launchOptions(o));
}

/** A Chromium other processes connect to (`connectChromium(server.wsEndpoint())`). */
export function launchChromiumServer(o: LaunchOptions = {}): Promise<BrowserServer> {
  return chromium.launchServer(launchOptions(o));
}

export function connectChromium(wsEndpoint: string): Promise<Browser> {
  return chromium.connect(wsEndpoint);
}

/** A fresh context (its own cookies: a new browser session). Certificate errors are never ignored. */
export function newBrowserContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: false, viewport: { width: 900, height: 700 } });
}
