import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { CHROMIUM_ARGS, findChromium, verifiedSpki } from '../../src/testing.js';
import { pairwiseSubject } from '../../src/tokens/subject.js';
import { cloneContoso, type ClonedTenant } from '../support/real-clients.js';
import { freePort } from '../support/free-port.js';

/**
 * express-openid-connect 3.4.0 (Auth0's Express middleware, openid-client v6 inside) — a relying
 * party nobody here wrote (issue 12 §3.2) — signing in against the mock over HTTPS, in Chromium,
 * through the mock's sign-in page; then the README's "Broken on purpose" ID token mutations a
 * correct relying party must refuse in the authorization code flow.
 *
 * The app is examples/targets/express-openid-connect/app.js exactly as shipped, set up as the
 * library's README does, every value from the environment; it runs as a child process whose Node
 * trusts the mock's CA (NODE_EXTRA_CA_CERTS), on plain HTTP on localhost. Each test gets its own
 * copy of Contoso (so queued mutations and the request log are its own), its own app process and
 * a new browser context. Chromium reaches the mock with exactly the mock's certificate key pinned
 * after Node verified the certificate against the CA (`verifiedSpki`).
 *
 * What the library checks, from its code: its callback (lib/context.js) hands the redirect to
 * openid-client's `authorizationCodeGrant` with the transaction cookie's state, nonce and PKCE
 * verifier, and turns any error into a 400 (http-errors) carrying openid-client's `code` as
 * `error` and its message as `error_description`; lib/client.js registers
 * `id_token_signed_response_alg` = `idTokenSigningAlg` (default RS256) and a 60 s clock
 * tolerance. openid-client in the code flow validates the ID token's claims and `alg` header but
 * not its signature: OIDC Core 3.1.3.7 (6) lets a client trust an ID token received directly
 * from the token endpoint over TLS, so it never even fetches the JWKS.
 */

const APP = new URL('../../../examples/targets/express-openid-connect/app.js', import.meta.url).pathname;
/** express-openid-connect's default callback route; Entra ignores the port of an http://localhost redirect URI. */
const CALLBACK_REDIRECT_URI = 'http://localhost/callback';
const { adele } = CONTOSO.users;

let mock: RunningMockEntra;
let stateDir: string;
let browser: Browser;
let tenant: ClonedTenant;

interface RunningApp {
  /** http://localhost:<port> */
  origin: string;
  close(): Promise<void>;
}

/** Resolves once the app prints that it listens; rejects with its output if it exits first. */
async function listening(app: ChildProcess, output: () => string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (output().includes('listening on ')) resolve();
    };
    app.stdout?.on('data', onData);
    app.once('exit', (code) => reject(new Error(`app.js exited (${code}): ${output()}`)));
  });
}

/** Starts the shipped app.js for the current tenant's bridge app (a confidential Web app). */
async function startApp(): Promise<RunningApp> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const env = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: mock.caPath,
    ISSUER_BASE_URL: `${mock.url}/${tenant.tenantId}/v2.0`,
    BASE_URL: origin,
    CLIENT_ID: tenant.ids.bridge,
    CLIENT_SECRET: CONTOSO.bridge.secret,
    SECRET: `session-secret-${port}-${Date.now()}-0123456789abcdef`,
    PORT: String(port),
  };
  let output = '';
  const app = spawn(process.execPath, [APP], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  app.stdout.on('data', (d: Buffer) => (output += d.toString()));
  app.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await listening(app, () => output);
  } catch (e) {
    app.kill('SIGKILL');
    throw e;
  }
  return {
    origin,
    close: async () => {
      if (app.exitCode === null) {
        app.kill('SIGTERM');
        await once(app, 'exit');
      }
    },
  };
}

/**
 * A new browser opens the app's /profile (requiresAuth sends it to the mock) and signs Adele in
 * on the mock's sign-in page as a person does (sign-in name, Next); resolves with the app's
 * answer at its callback route.
 */
async function signIn(page: Page, app: RunningApp): Promise<Response> {
  await page.goto(`${app.origin}/profile`);
  expect(new URL(page.url()).origin).toBe(mock.url);
  await page.fill('input[name="loginfmt"]:not([type="hidden"])', `AdeleV@${tenant.domain}`);
  const callback = page.waitForResponse((r) => r.url().startsWith(`${app.origin}/callback?`));
  await page.click('#idSIButton9');
  return callback;
}

/** What the tenant's request log shows, one line per request: method, endpoint, status, flow, mutations. */
async function wire(): Promise<string[]> {
  const log = await mock.control.requests(tenant.tenantId);
  return log.map((e) => [e.method, e.endpoint, e.status, e.flow ?? '-', (e.mutation ?? []).map((m) => `${m.target}:${m.kind}`).join(',') || '-'].join(' '));
}

/** The requests of one sign-in: the ID token comes only from the token endpoint, and no JWKS is fetched. */
const SIGN_IN_WIRE = (mutation: string) => [
  'GET discovery.v2 200 - -',
  'GET authorize.v2 200 code -',
  'POST authorize.v2 302 code -',
  `POST token.v2 200 authorization_code ${mutation}`,
];

/** The signed-in user as /profile shows her: req.oidc.user, the ID token's claims minus the library's identityClaimFilter. */
function expectedProfile(): Record<string, unknown> {
  return {
    sub: pairwiseSubject(tenant.tenantId, tenant.ids.bridge, tenant.ids.adele),
    oid: tenant.ids.adele,
    tid: tenant.tenantId,
    preferred_username: `AdeleV@${tenant.domain}`,
    name: 'Adele Vance',
    email: adele.mail,
  };
}

/** The browser holds no app session: /profile sends it to the mock's authorize endpoint again. */
async function expectNoSession(page: Page, app: RunningApp): Promise<void> {
  const again = await page.request.get(`${app.origin}/profile`, { maxRedirects: 0 });
  expect(again.status()).toBe(302);
  expect(again.headers().location).toMatch(new RegExp(`^${mock.url}/${tenant.tenantId}/oauth2/v2\\.0/authorize\\?`));
}

/** The browser holds the app's session: /profile answers with the user's claims, no sign-in. */
async function expectSession(page: Page, app: RunningApp): Promise<void> {
  const again = await page.request.get(`${app.origin}/profile`, { maxRedirects: 0 });
  expect(again.status()).toBe(200);
  expect(JSON.parse(await again.text())).toMatchObject(expectedProfile());
}

describe('express-openid-connect 3.4.0 (the README app) signs in against the mock', () => {
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-eoc-state-'));
    mock = await startMockEntra({ port: 0, tls: true, stateDir });
    if (!mock.caPem || !mock.caPath) throw new Error('the mock runs on HTTPS here');
    const pin = await verifiedSpki(mock.url, mock.caPem);
    const executablePath = findChromium();
    browser = await chromium.launch({
      ...(executablePath ? { executablePath } : {}),
      headless: true,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${pin}`],
    });
  }, 60_000);

  beforeEach(async () => {
    // A copy of Contoso per test whose bridge app also registers the library's callback.
    tenant = await cloneContoso(mock.control, (f, ids) => {
      const bridge = f.applications?.find((a) => a.appId === ids.bridge);
      if (!bridge?.web?.redirectUris) throw new Error('the clone has no bridge app with Web redirect URIs');
      bridge.web.redirectUris.push(CALLBACK_REDIRECT_URI);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  async function withApp<T>(run: (app: RunningApp, page: Page) => Promise<T>): Promise<T> {
    const app = await startApp();
    let context: BrowserContext | undefined;
    try {
      // A new context: a new browser session, no cookies from the other tests (no SSO either).
      context = await browser.newContext({ ignoreHTTPSErrors: false });
      return await run(app, await context.newPage());
    } finally {
      await context?.close();
      await app.close();
    }
  }

  it("shows the signed-in user's claims on /profile", async () => {
    await withApp(async (app, page) => {
      const callback = await signIn(page, app);
      expect(callback.status()).toBe(302);
      await page.waitForURL(`${app.origin}/profile`);
      const user = JSON.parse((await page.textContent('body')) ?? '') as Record<string, unknown>;
      expect(user).toMatchObject(expectedProfile());
      // The ID token's claims without those the library's identityClaimFilter drops (iss, aud,
      // exp, iat, nbf, nonce, …); aio, rh, uti and sid differ per sign-in.
      expect(Object.keys(user).sort()).toEqual(['aio', 'email', 'groups', 'name', 'oid', 'preferred_username', 'rh', 'sid', 'sub', 'tid', 'uti', 'ver']);
      expect(user.ver).toBe('2.0');
      expect(await wire()).toEqual(SIGN_IN_WIRE('-'));
      // Its authorization request: the code flow with the README's scope, a nonce, PKCE (S256).
      const log = await mock.control.requests(tenant.tenantId);
      const authorize = new URL(log[1]!.url, mock.url).searchParams;
      expect([...authorize.keys()].sort()).toEqual([
        'client_id',
        'code_challenge',
        'code_challenge_method',
        'nonce',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
      ]);
      expect(authorize.get('response_type')).toBe('code');
      expect(authorize.get('scope')).toBe('openid profile email');
      expect(authorize.get('redirect_uri')).toBe(`${app.origin}/callback`);
      expect(authorize.get('code_challenge_method')).toBe('S256');
      await expectSession(page, app);
    });
  });

  /**
   * Refusals as express-openid-connect answers them at /callback: 400 with openid-client's error
   * `code` and its message. openid-client v6 keeps the detail — which claim, what was expected —
   * in the error's `cause`, which the library's createError drops: the app can tell a wrong
   * claim value from a missing one, not `iss` from `aud` or `nonce`.
   */
  const CLAIM_VALUE = { error: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', error_description: 'unexpected JWT claim value encountered' };
  const INVALID = { error: 'OAUTH_INVALID_RESPONSE', error_description: 'invalid response encountered' };
  const REFUSED: Array<[string, Record<string, number>, { error: string; error_description: string }]> = [
    ['iss-near-miss', {}, CLAIM_VALUE],
    ['aud-near-miss', {}, CLAIM_VALUE],
    // 300 s, well past the library's 60 s clock tolerance.
    ['exp-past', { seconds: 300 }, { error: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', error_description: 'JWT timestamp claim value failed validation' }],
    ['nonce-near-miss', {}, CLAIM_VALUE],
    // Claims missing (OIDC Core 2: sub and iat are required; 3.1.3.7 (11): a nonce was sent).
    ['nonce-removed', {}, INVALID],
    ['sub-removed', {}, INVALID],
    ['iat-removed', {}, INVALID],
    // id_token_signed_response_alg is RS256: the header's alg is compared before anything else.
    ['alg-none', {}, INVALID],
  ];

  it.each(REFUSED)('refuses an ID token with %s: 400 at /callback, no session', async (kind, params, expected) => {
    await mock.control.addMutation(tenant.tenantId, { target: 'id_token', kind, clientId: tenant.ids.bridge, ...params });
    await withApp(async (app, page) => {
      const callback = await signIn(page, app);
      expect(callback.status()).toBe(400);
      expect(callback.headers()['content-type']).toBe('application/json; charset=utf-8');
      expect(await callback.json()).toEqual(expected);
      expect(await wire()).toEqual(SIGN_IN_WIRE(`id_token:${kind}`));
      await expectNoSession(page, app);
    });
  });

  // Accepted by design: in the code flow openid-client does not verify the ID token's signature
  // (OIDC Core 3.1.3.7 (6): received from the token endpoint over TLS), so neither a broken
  // signature nor a key no JWKS publishes stops the sign-in — the JWKS is never fetched.
  it.each(['sig-xor', 'kid-unknown'])('signs the user in despite %s (the code flow does not check the signature)', async (kind) => {
    await mock.control.addMutation(tenant.tenantId, { target: 'id_token', kind, clientId: tenant.ids.bridge });
    await withApp(async (app, page) => {
      const callback = await signIn(page, app);
      expect(callback.status()).toBe(302);
      await page.waitForURL(`${app.origin}/profile`);
      expect(JSON.parse((await page.textContent('body')) ?? '')).toMatchObject(expectedProfile());
      expect(await wire()).toEqual(SIGN_IN_WIRE(`id_token:${kind}`));
      await expectSession(page, app);
    });
  });
});
