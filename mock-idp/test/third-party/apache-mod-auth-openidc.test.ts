import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { CHROMIUM_ARGS, findChromium, verifiedSpki } from '../../src/testing.js';
import { cloneContoso, type ClonedTenant } from '../support/real-clients.js';
import { freePort } from '../support/free-port.js';
import { APACHE_BIN, apacheInstalled } from './support/apache.js';

/**
 * Apache httpd with mod_auth_openidc — Debian's packages `apache2` and
 * `libapache2-mod-auth-openidc`, a relying party nobody here wrote (issue 12 §3.1) — signing in
 * against the mock over HTTPS, in Chromium, through the mock's sign-in page.
 *
 * Apache runs examples/targets/apache-mod-auth-openidc/httpd.conf exactly as shipped: the file
 * takes every value from the environment, so the example a user copies is the one tested. It runs
 * in the foreground (`-X`, one process) as an unprivileged account: as root it switches to
 * www-data itself (the `User` directive), so the site and the mock's CA are copied into a
 * world-readable temporary directory rather than read from the clone, which may sit in /root.
 *
 * mod_auth_openidc itself does discovery, the authorization request (state, nonce), the code
 * redemption with the client secret, ID token validation against the JWKS, and the userinfo
 * call, all over TLS verified against the mock's CA only (`OIDCCABundlePath`). Chromium reaches
 * the mock with exactly the mock's certificate key pinned, after Node verified the certificate
 * against the CA (`verifiedSpki`, as support/pinned-chromium.ts does; no third-party cookies
 * are needed here, so each test gets a plain new context of one browser).
 *
 * Without the packages the suite is skipped — except in CI (`CI` set), where .ci/run installs
 * them, so a missing Apache there fails loudly instead of passing unnoticed.
 */

const EXAMPLE_DIR = new URL('../../../examples/targets/apache-mod-auth-openidc/', import.meta.url).pathname;
const INSTALLED = apacheInstalled('apache-mod-auth-openidc');

/** The redirect URI the example registers; Entra ignores the port of an http://localhost redirect URI. */
const APACHE_REDIRECT_URI = 'http://localhost/protected/redirect_uri';
const { adele } = CONTOSO.users;

let mock: RunningMockEntra;
let stateDir: string;
let tenant: ClonedTenant;
let browser: Browser;

interface RunningApache {
  /** http://localhost:<port> */
  origin: string;
  /** Apache's error log so far (mod_auth_openidc logs its refusals there). */
  errorLog(): Promise<string>;
  close(): Promise<void>;
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects if Apache exits first. */
async function listening(port: number, apache: ChildProcess, output: () => string): Promise<void> {
  for (;;) {
    if (apache.exitCode !== null) throw new Error(`apache2 exited (${apache.exitCode}): ${output()}`);
    const connected = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (connected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts Apache on the shipped example configuration, for the tenant's bridge app with `clientSecret`. */
async function startApache(clientSecret: string): Promise<RunningApache> {
  const dir = await mkdtemp(join(tmpdir(), 'mock-entra-apache-'));
  const site = join(dir, 'site');
  await cp(EXAMPLE_DIR, site, { recursive: true });
  await writeFile(join(dir, 'mock-ca.pem'), mock.caPem!);
  // mkdtemp makes 0700; the account Apache answers as must read the site and the CA.
  await chmod(dir, 0o755);
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const env = {
    ...process.env,
    APACHE_PORT: String(port),
    APACHE_RUN_DIR: dir,
    APACHE_USER: asRoot ? 'www-data' : userInfo().username,
    APACHE_GROUP: asRoot ? 'www-data' : `#${userInfo().gid}`,
    APACHE_SITE_DIR: site,
    OIDC_METADATA_URL: `${mock.url}/${tenant.tenantId}/v2.0/.well-known/openid-configuration`,
    OIDC_CLIENT_ID: tenant.ids.bridge,
    OIDC_CLIENT_SECRET: clientSecret,
    OIDC_CA_BUNDLE: join(dir, 'mock-ca.pem'),
    OIDC_CRYPTO_PASSPHRASE: `passphrase-${port}-${Date.now()}`,
  };
  let output = '';
  const apache = spawn(APACHE_BIN, ['-X', '-f', join(site, 'httpd.conf')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  apache.stdout.on('data', (d: Buffer) => (output += d.toString()));
  apache.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const errorLog = () => readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
  try {
    await listening(port, apache, () => output);
  } catch (e) {
    apache.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${await errorLog()}`, { cause: e });
  }
  return {
    origin: `http://localhost:${port}`,
    errorLog,
    close: async () => {
      if (apache.exitCode === null) {
        apache.kill('SIGTERM');
        await once(apache, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A new browser opens Apache's protected page and signs in on the mock's sign-in page as a person
 * does (sign-in name, Next), ending wherever Apache leaves it.
 */
async function signInThroughApache(page: Page, apache: RunningApache, upn: string): Promise<number> {
  await page.goto(`${apache.origin}/protected/`);
  expect(new URL(page.url()).origin).toBe(mock.url);
  await page.fill('input[name="loginfmt"]:not([type="hidden"])', upn);
  const back = page.waitForResponse((r) => r.url().startsWith(`${apache.origin}/protected/`) && r.request().isNavigationRequest() && r.status() !== 302);
  await page.click('#idSIButton9');
  return (await back).status();
}

describe.skipIf(!INSTALLED)('Apache httpd with mod_auth_openidc (Debian packages) signs in against the mock', () => {
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-apache-state-'));
    mock = await startMockEntra({ port: 0, tls: true, stateDir });
    if (!mock.caPem) throw new Error('the mock runs on HTTPS here');
    const pin = await verifiedSpki(mock.url, mock.caPem);
    const executablePath = findChromium();
    browser = await chromium.launch({
      ...(executablePath ? { executablePath } : {}),
      headless: true,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${pin}`],
    });
    // The bridge app — a confidential Web app — registers Apache's redirect URI too.
    tenant = await cloneContoso(mock.control, (f, ids) => {
      const bridge = f.applications?.find((a) => a.appId === ids.bridge);
      if (!bridge?.web?.redirectUris) throw new Error('the clone has no bridge app with Web redirect URIs');
      bridge.web.redirectUris.push(APACHE_REDIRECT_URI);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  async function withApache<T>(clientSecret: string, run: (apache: RunningApache, page: Page) => Promise<T>): Promise<T> {
    await mock.control.clearRequests(tenant.tenantId);
    const apache = await startApache(clientSecret);
    let context: BrowserContext | undefined;
    try {
      // A new context: a new browser session, no cookies from the other tests (no SSO either).
      context = await browser.newContext({ ignoreHTTPSErrors: false });
      return await run(apache, await context.newPage());
    } finally {
      await context?.close();
      await apache.close();
    }
  }

  /** What the tenant's request log shows, one line per request: method, endpoint, status, flow, AADSTS. */
  async function wire(): Promise<string[]> {
    const log = await mock.control.requests(tenant.tenantId);
    return log.map((e) => [e.method, e.endpoint, e.status, e.flow ?? '-', e.aadsts ?? '-'].join(' '));
  }

  it("shows the protected page with the signed-in user's ID token claims", async () => {
    await withApache(CONTOSO.bridge.secret, async (apache, page) => {
      const upn = `AdeleV@${tenant.domain}`;
      expect(await signInThroughApache(page, apache, upn)).toBe(200);
      expect(page.url()).toBe(`${apache.origin}/protected/`);
      expect(await page.title()).toBe('Signed in');
      const claim = (id: string) => page.textContent(`#${id}`);
      expect(await claim('preferred_username')).toBe(upn);
      expect(await claim('name')).toBe('Adele Vance');
      expect(await claim('oid')).toBe(tenant.ids.adele);
      expect(await claim('tid')).toBe(tenant.tenantId);
      expect(await claim('email')).toBe(adele.mail);
      // mod_auth_openidc's default REMOTE_USER: the pairwise `sub` @ the issuer without its scheme.
      expect(await claim('remote_user')).toMatch(new RegExp(`^[A-Za-z0-9_-]{43}@${new URL(mock.url).host}/${tenant.tenantId}/v2\\.0$`));

      // All of it mod_auth_openidc's own doing: discovery, the sign-in, the code redeemed with the
      // secret, the keys for the ID token's signature, then userinfo with the access token.
      expect(await wire()).toEqual([
        'GET discovery.v2 200 - -',
        'GET authorize.v2 200 code -',
        'POST authorize.v2 302 code -',
        'POST token.v2 200 authorization_code -',
        'GET jwks.v2 200 - -',
        'GET graph.userinfo 200 - -',
      ]);
      const log = await mock.control.requests(tenant.tenantId);
      const authorize = new URL(log[1]!.url, mock.url).searchParams;
      expect(Object.fromEntries([...authorize].filter(([k]) => k !== 'state' && k !== 'nonce'))).toEqual({
        response_type: 'code',
        scope: 'openid profile email',
        client_id: tenant.ids.bridge,
        redirect_uri: `${apache.origin}/protected/redirect_uri`,
      });
      expect(authorize.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The session cookie it set lets the same browser back in without another sign-in.
      const again = await page.request.get(`${apache.origin}/protected/`, { maxRedirects: 0 });
      expect(again.status()).toBe(200);
      expect(await again.text()).toContain(`<dd id="preferred_username">${upn}</dd>`);
    });
  });

  /**
   * The refusal as mod_auth_openidc 2.4.12 shows it (observed; its error page says no more): its
   * error page at the redirect URI — with status 200 — no session, the ID token never fetched,
   * and Entra's error in Apache's error log.
   */
  async function expectRefused(apache: RunningApache, page: Page, aadsts: number, description: string): Promise<void> {
    expect(await signInThroughApache(page, apache, `AdeleV@${tenant.domain}`)).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/protected/redirect_uri');
    expect(await page.title()).toBe('Error');
    expect(await page.textContent('body')).toContain('OpenID Connect Provider error: Error in handling response type.');
    expect(await page.$('#preferred_username')).toBeNull();
    expect(await wire()).toEqual([
      'GET discovery.v2 200 - -',
      'GET authorize.v2 200 code -',
      'POST authorize.v2 302 code -',
      `POST token.v2 401 authorization_code ${aadsts}`,
    ]);
    const log = await apache.errorLog();
    expect(log).toContain('oidc_util_check_json_error: response contained an "error" entry with value: ""invalid_client""');
    expect(log).toContain(`AADSTS${aadsts}: ${description}`);
    expect(log).toContain('oidc_proto_resolve_code_and_validate_response: failed to resolve the code');
    await expectNoSession(apache, page);
  }

  /** The browser holds no Apache session: the protected page sends it to sign in again. */
  async function expectNoSession(apache: RunningApache, page: Page): Promise<void> {
    const again = await page.request.get(`${apache.origin}/protected/`, { maxRedirects: 0 });
    expect(again.status()).toBe(302);
    expect(again.headers().location).toMatch(new RegExp(`^${mock.url}/${tenant.tenantId}/oauth2/v2\\.0/authorize\\?`));
  }

  it('refuses the sign-in when its client secret is wrong: the token call fails with AADSTS7000215', async () => {
    await withApache('not-the-secret', (apache, page) =>
      expectRefused(
        apache,
        page,
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${tenant.ids.bridge}'.`,
      ),
    );
  });

  it('refuses the sign-in with an expired client secret: the token call fails with AADSTS7000222', async () => {
    await withApache(CONTOSO.bridge.expiredSecret, (apache, page) =>
      expectRefused(apache, page, 7000222, `The provided client secret keys for app '${tenant.ids.bridge}' are expired.`),
    );
  });
});
