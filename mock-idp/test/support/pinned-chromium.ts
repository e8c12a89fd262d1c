import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium, verifiedSpki } from '../../src/testing.js';

export { verifiedSpki };

/**
 * Chromium that trusts an HTTPS mock as the harness's browser driver does (`verifiedSpki` from
 * mock-entra/testing): Node first verifies the mock's certificate against the mock's CA, then
 * Chromium starts with that one certificate's public key pinned
 * (`--ignore-certificate-errors-spki-list`). Every other certificate is checked as usual, and
 * `ignoreHTTPSErrors` stays false.
 *
 * Needed where the browser itself must reach the mock over TLS — msal-browser refuses an
 * insecure authority, and its redirects, hidden iframes and cross-origin fetches go straight to
 * the mock, which request routing through Node (support/browser.ts) cannot follow for redirects.
 *
 * Third-party cookies: silent sign-in in a hidden iframe (msal's ssoSilent) only works when the
 * browser sends the identity provider's session cookie inside another site's page. This Chromium
 * (156) blocks third-party cookies by default, and always in Playwright's incognito-like
 * `browser.newContext()`; the setting "Allow third-party cookies" (`profile.cookie_controls_mode`
 * 0) exists only in a real profile. So a session is a persistent context on its own fresh
 * profile directory (a new browser: no cookies, no storage), with the preference written before
 * launch — explicitly either way, as another Chromium's default may differ.
 */

export interface BrowserSession {
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/**
 * A new Chromium on a fresh profile accepting the certificate key `pin` (from {@link verifiedSpki}),
 * with chrome://settings/cookies set to allow or block third-party cookies.
 */
export async function launchBrowserSession(pin: string, options: { thirdPartyCookies: 'allow' | 'block' }): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), 'mock-entra-chromium-'));
  await mkdir(join(profile, 'Default'));
  // CookieControlsMode: 0 "Allow third-party cookies", 1 "Block third-party cookies".
  const mode = options.thirdPartyCookies === 'allow' ? 0 : 1;
  await writeFile(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: mode } }));
  const executablePath = findChromium();
  try {
    const context = await chromium.launchPersistentContext(profile, {
      ...(executablePath ? { executablePath } : {}),
      headless: true,
      ignoreHTTPSErrors: false,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${pin}`],
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
}
