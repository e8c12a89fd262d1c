import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { CHROMIUM_ARGS, findChromium } from '../../src/testing.js';
import { decodeJwtPart } from '../support/real-clients.js';
import { cleanEnv, run, spkiThroughProxy } from './proxy-support.js';

/**
 * Clients nobody here wrote, through the mock's HTTPS proxy, each with no Entra-specific setting:
 * only the proxy (HTTPS_PROXY, --proxy-server) and trust in the impersonation CA. They ask for
 * https://login.microsoftonline.com/… as they would in production; the proxy tunnels the name
 * into the mock, which answers as it with a certificate from its name-constrained CA.
 *
 * - MSAL for Python (Debian's python3-msal with /usr/bin/python3), the README's block as it stands: a ConfidentialClientApplication
 *   with the real authority and no instance_discovery setting (the README's mock-URL recipe needs
 *   one); `requests` honours HTTPS_PROXY and REQUESTS_CA_BUNDLE. Skipped without python3-msal, except under CI.
 * - Chromium (Debian's, driven by playwright-core) with --proxy-server, trusting the one
 *   certificate key Node verified against the CA (--ignore-certificate-errors-spki-list): the
 *   sign-in page at https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize, signed in.
 */

const PYTHON = '/usr/bin/python3';
const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** The README's block ("Unmodified apps"), run as it stands: the variables in its first line are the only setting. */
const README_PYTHON = (() => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const found = [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('authority="https://login.microsoftonline.com/'));
  if (found.length !== 1) throw new Error(`README: ${found.length} python blocks with the authority https://login.microsoftonline.com/`);
  return found[0]!;
})();
const hasMsal = spawnSync(PYTHON, ['-c', 'import msal'], { stdio: 'ignore' }).status === 0;

let mock: RunningMockEntra;
let proxyUrl: string;
let caPath: string;
let caPem: string;
let work: string;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0, proxyPort: 0 });
  proxyUrl = mock.proxy!.url;
  caPath = mock.impersonation!.caPath;
  caPem = mock.impersonation!.caPem;
  work = await mkdtemp(join(tmpdir(), 'mock-entra-proxy-'));
});
afterAll(async () => {
  await mock?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!hasMsal && process.env.CI !== 'true')('MSAL for Python through the proxy (python3-msal)', () => {
  it('acquires a client-credentials token from https://login.microsoftonline.com/{tenant}, with no instance_discovery setting', async () => {
    const script = join(work, 'app.py');
    await writeFile(script, README_PYTHON);
    const out = await run(
      PYTHON,
      [script],
      cleanEnv({
        HTTPS_PROXY: proxyUrl,
        REQUESTS_CA_BUNDLE: caPath,
      }),
    );
    expect(out.stderr).toBe('');
    const claims = decodeJwtPart(out.stdout.trim(), 1);
    expect({ iss: claims.iss, aud: claims.aud, tid: claims.tid, appid: claims.appid, idtyp: claims.idtyp }).toEqual({
      iss: `https://sts.windows.net/${CONTOSO.tenantId}/`,
      aud: 'https://graph.microsoft.com',
      tid: CONTOSO.tenantId,
      appid: CONTOSO.ingestion.appId,
      idtyp: 'app',
    });
    // What reached the tenant through the proxy: its discovery document, then the token (MSAL's
    // instance discovery, on /common, is no tenant's).
    const log = await mock.control.requests(CONTOSO.tenantId);
    expect(log.map((e) => `${e.method} ${e.endpoint} ${e.status}`)).toEqual([`GET discovery.v2 200`, `POST token.v2 200`]);
  });
});

describe('Chromium through the proxy', () => {
  it('loads the sign-in page at https://login.microsoftonline.com/… with the real loginfmt and #idSIButton9, and signs in', async () => {
    const pin = await spkiThroughProxy(proxyUrl, 'login.microsoftonline.com', caPem);
    const executablePath = findChromium();
    const browser = await chromium.launch({
      ...(executablePath ? { executablePath } : {}),
      headless: true,
      args: [...CHROMIUM_ARGS, `--proxy-server=${proxyUrl}`, `--ignore-certificate-errors-spki-list=${pin}`],
    });
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: false });
      const page = await context.newPage();
      // The bridge's redirect URI (http://localhost:7000/…) has no server in this test: the
      // browser's arrival there is the result.
      const callback = new Promise<URL>((arrive) => {
        void page.route(`${CONTOSO.bridge.redirectUri}**`, async (route) => {
          arrive(new URL(route.request().url()));
          await route.fulfill({ status: 200, contentType: 'text/plain', body: 'signed in' });
        });
      });
      const authorize = new URL(`https://login.microsoftonline.com/${CONTOSO.tenantId}/oauth2/v2.0/authorize`);
      authorize.search = new URLSearchParams({
        client_id: CONTOSO.bridge.appId,
        response_type: 'code',
        redirect_uri: CONTOSO.bridge.redirectUri,
        scope: 'openid profile',
        state: 'through-the-proxy',
        nonce: 'n-0S6_WzA2Mj',
      }).toString();
      const response = await page.goto(authorize.toString());
      expect(response!.status()).toBe(200);
      expect(page.url()).toMatch(/^https:\/\/login\.microsoftonline\.com\//);
      const loginfmt = page.locator('input[name="loginfmt"]:not([type="hidden"])');
      await expect(loginfmt.count()).resolves.toBe(1);
      await expect(page.locator('#idSIButton9').count()).resolves.toBe(1);
      await loginfmt.fill(CONTOSO.users.adele.upn);
      await page.click('#idSIButton9');
      const arrived = await callback;
      expect(arrived.searchParams.get('state')).toBe('through-the-proxy');
      expect(arrived.searchParams.get('code')).toMatch(/^[\w.-]{20,}$/);
      expect(arrived.searchParams.get('error')).toBeNull();
    } finally {
      await browser.close();
    }
  });
});
