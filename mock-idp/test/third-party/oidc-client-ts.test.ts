import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { trustingFetch } from '../../src/testing.js';
import { startExampleSpaHost, type ExampleSpaHost } from '../support/example-spa-host.js';
import { launchBrowserSession, verifiedSpki } from '../support/pinned-chromium.js';
import { cloneContoso, decodeJwtPart, SPA_CALLBACK_PATH, type ClonedTenant } from '../support/real-clients.js';

/**
 * A single-page app on oidc-client-ts 3.5.0 — a relying party nobody here wrote (issue 12 §3.3) —
 * in Chromium against the mock over HTTPS: examples/targets/oidc-client-ts-spa served unchanged
 * on http://localhost:<port> (only its config.js, naming the tenant and app, and the library's
 * browser build come from the test), signing in as OpenMetadata UI (a SPA app registration,
 * redirect URI http://localhost:8585/callback; Entra ignores the port of http://localhost)
 * through the mock's sign-in page. Discovery, the authorization request (PKCE, state, nonce) and
 * the cross-origin code redemption are oidc-client-ts's own.
 *
 * Then the ID-token mutations of "Broken on purpose" that a correct relying party must refuse in
 * the code flow. OIDC Core 3.1.3.7 makes the `iss` (2), `aud` (3), `exp` (9) and — when one was
 * sent — `nonce` (11) checks unconditional; only the signature (6) may be skipped, because the
 * ID token came straight from the token endpoint over TLS. What oidc-client-ts 3.5.0 checks is
 * all in ResponseValidator._validateIdTokenAttributes (dist/esm/oidc-client-ts.js): it decodes
 * the token with JwtUtils.decode (jwt-decode: "IMPORTANT: doesn't validate the token" — no
 * signature, no `alg`, no `kid`, no key ever fetched), then requires `sub` ("ID Token is missing
 * a subject claim") and, when the sign-in state holds a nonce, an equal `nonce` ("nonce in
 * id_token does not match nonce in client storage"). Nothing compares `iss` or `aud`, nor reads
 * `exp`, `nbf` or `iat` (authts/oidc-client-ts#2475 for iss, aud, exp; "There is no audience
 * validation", a maintainer in #963). So this target is KNOWN WRONG on purpose:
 * the accepted rows below are what the conformance harness must later report as failures, each
 * naming the missing check; the rejected rows assert oidc-client-ts's exact message.
 *
 * Each test: a new copy of Contoso (control API), a new Chromium on a fresh profile with exactly
 * the mock's certificate key pinned after Node verified it against the mock's CA.
 */

const EXAMPLE_DIR = new URL('../../../examples/targets/oidc-client-ts-spa/', import.meta.url).pathname;
const TITLE = 'oidc-client-ts SPA';

let mock: RunningMockEntra;
let stateDir: string;
let pin: string;
let host: ExampleSpaHost;
let oidcClientTs: Buffer;
/** The tenant the page's config.js names; each test points it at its own copy of Contoso. */
let current: { authority: string; clientId: string } = { authority: '', clientId: '' };

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-oidc-client-ts-'));
  mock = await startMockEntra({ port: 0, tls: true, stateDir });
  if (!mock.caPem) throw new Error('the mock runs on HTTPS here');
  pin = await verifiedSpki(mock.url, mock.caPem);
  // The package's browser build (global `oidc`), as a page loads it from a <script> tag.
  const packageJson = createRequire(import.meta.url).resolve('oidc-client-ts/package.json');
  oidcClientTs = await readFile(join(dirname(packageJson), 'dist', 'browser', 'oidc-client-ts.min.js'));
  host = await startExampleSpaHost(EXAMPLE_DIR, {
    indexPaths: ['/', SPA_CALLBACK_PATH],
    extraFiles: {
      '/oidc-client-ts.min.js': oidcClientTs,
      get '/config.js'() {
        return `window.SPA_CONFIG = ${JSON.stringify({ authority: current.authority, client_id: current.clientId })};`;
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await mock?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

interface SignInResult {
  tenant: ClonedTenant;
  page: Page;
  /** The page's title once its callback ended: 'Signed in' or 'Sign-in failed'. */
  outcome: string;
  /** The wire as the tenant's request log shows it: method, endpoint, status, flow, mutations applied. */
  wire: string[];
  /** The ID token oidc-client-ts stored for the signed-in user (UserManager.getUser), or null. */
  storedIdToken: string | null;
}

/**
 * In a new copy of Contoso (with `mutation` queued for its next ID token), a new browser opens the
 * app, clicks "Sign in", signs in as Adele on the mock's sign-in page as a person does (sign-in
 * name, Next), and waits for the app to say how its callback ended.
 */
async function signIn(mutation?: string): Promise<SignInResult & { close(): Promise<void> }> {
  const tenant = await cloneContoso(mock.control);
  current = { authority: `${mock.url}/${tenant.tenantId}/v2.0`, clientId: tenant.ids.openMetadataUi };
  if (mutation) await mock.control.addMutation(tenant.tenantId, { target: 'id_token', kind: mutation });
  // No third-party cookies are needed: the code redemption is a plain cross-origin fetch.
  const session = await launchBrowserSession(pin, { thirdPartyCookies: 'block' });
  try {
    const page = await session.context.newPage();
    await page.goto(`${host.origin}/`);
    expect(await page.title()).toBe(TITLE);
    await page.click('#sign-in');
    await page.waitForURL((u) => u.origin === mock.url);
    await page.fill('input[name="loginfmt"]:not([type="hidden"])', `AdeleV@${tenant.domain}`);
    await page.click('#idSIButton9');
    await page.waitForURL((u) => u.origin === host.origin && u.pathname === SPA_CALLBACK_PATH);
    await page.waitForSelector('body[data-outcome]');
    const outcome = await page.title();
    const log = await mock.control.requests(tenant.tenantId);
    const wire = log.map((e) => [e.method, e.endpoint, e.status, e.flow ?? '-', (e.mutation ?? []).map((m) => m.kind).join(',') || '-'].join(' '));
    const storedIdToken = await page.evaluate(async () => {
      const app = (window as unknown as { spa: { userManager: { getUser(): Promise<{ id_token?: string } | null> } } }).spa;
      return (await app.userManager.getUser())?.id_token ?? null;
    });
    return { tenant, page, outcome, wire, storedIdToken, close: () => session.close() };
  } catch (e) {
    await session.close();
    throw e;
  }
}

/**
 * Everything on the wire is oidc-client-ts's (and the browser's): discovery once (the browser's
 * HTTP cache serves the callback page's second read), the sign-in, the cross-origin code
 * redemption that carried `mutation`. No JWKS request, ever: oidc-client-ts verifies no signature.
 * No userinfo call either (its `loadUserInfo` defaults to false).
 */
function expectedWire(mutation = '-'): string[] {
  return ['GET discovery.v2 200 - -', 'GET authorize.v2 200 code -', 'POST authorize.v2 302 code -', `POST token.v2 200 authorization_code ${mutation}`];
}

const claimOf = (page: Page, name: string) => page.textContent(`#claim-${name}`);

/** The tenant's published signing keys, fetched by Node (after the wire was read). */
async function tenantKeys(tenantId: string): Promise<ReturnType<typeof createLocalJWKSet>> {
  const response = await trustingFetch(mock.caPem!)(`${mock.url}/${tenantId}/discovery/v2.0/keys`);
  return createLocalJWKSet((await response.json()) as JSONWebKeySet);
}

/** The page shows Adele signed in: the claims of the ID token as oidc-client-ts kept them. */
async function expectAdeleSignedIn(r: SignInResult): Promise<void> {
  expect(r.outcome).toBe('Signed in');
  expect(await r.page.isHidden('#error')).toBe(true);
  expect(await claimOf(r.page, 'preferred_username')).toBe(`AdeleV@${r.tenant.domain}`);
  expect(await claimOf(r.page, 'oid')).toBe(r.tenant.ids.adele);
  expect(await claimOf(r.page, 'tid')).toBe(r.tenant.tenantId);
  expect(await claimOf(r.page, 'name')).toBe('Adele Vance');
  expect(r.storedIdToken).not.toBeNull();
}

describe('a single-page app on oidc-client-ts 3.5.0 signs in against the mock', () => {
  it("shows the signed-in user's ID token claims", async () => {
    const r = await signIn();
    try {
      await expectAdeleSignedIn(r);
      expect(r.wire).toEqual(expectedWire());
      const { tenant, page } = r;
      expect(await claimOf(page, 'iss')).toBe(`${mock.url}/${tenant.tenantId}/v2.0`);
      expect(await claimOf(page, 'aud')).toBe(tenant.ids.openMetadataUi);
      // The authorization request oidc-client-ts built (PKCE S256; the app passed a nonce).
      const log = await mock.control.requests(tenant.tenantId);
      const authorize = new URL(log[1]!.url, mock.url).searchParams;
      expect([...authorize.keys()]).toEqual([
        'client_id',
        'redirect_uri',
        'response_type',
        'scope',
        'nonce',
        'state',
        'code_challenge',
        'code_challenge_method',
      ]);
      expect(authorize.get('client_id')).toBe(tenant.ids.openMetadataUi);
      expect(authorize.get('redirect_uri')).toBe(`${host.origin}${SPA_CALLBACK_PATH}`);
      expect(authorize.get('response_type')).toBe('code');
      expect(authorize.get('scope')).toBe('openid profile email');
      expect(authorize.get('code_challenge_method')).toBe('S256');
      // The profile leaves out what ClaimsService.filterProtocolClaims drops (nbf, nonce, …); the
      // stored token itself is the mock's, intact: its signature verifies against the tenant's keys.
      expect(await page.$('#claim-nonce')).toBeNull();
      const { payload } = await compactVerify(r.storedIdToken!, await tenantKeys(tenant.tenantId));
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ nonce: authorize.get('nonce'), sub: await claimOf(page, 'sub') });
    } finally {
      await r.close();
    }
  });

  /**
   * Mutations oidc-client-ts 3.5.0 does not notice: the user is signed in with the broken token.
   * `missing` names the check OIDC Core 3.1.3.7 requires that ResponseValidator does not make;
   * `evidence` shows that the token oidc-client-ts stored is the broken one.
   */
  const ACCEPTED: { kind: string; missing: string; evidence: (r: SignInResult) => Promise<void> }[] = [
    {
      kind: 'iss-near-miss',
      missing: '3.1.3.7 (2): iss must equal the discovery issuer',
      evidence: async ({ page, tenant }) => expect(await claimOf(page, 'iss')).toBe(`${mock.url}/${tenant.tenantId}/v2.01`),
    },
    {
      kind: 'aud-near-miss',
      missing: '3.1.3.7 (3): aud must contain the client_id',
      evidence: async ({ page, tenant }) => expect(await claimOf(page, 'aud')).toBe(`${tenant.ids.openMetadataUi}1`),
    },
    {
      kind: 'exp-past',
      missing: '3.1.3.7 (9): the current time must be before exp',
      evidence: async ({ page, storedIdToken }) => {
        const { exp } = decodeJwtPart(storedIdToken!, 1) as { exp: number };
        // exp = now − 60 s by the tenant clock (a fresh tenant's clock is the wall clock): the
        // token had expired before the app accepted it.
        expect(exp).toBeLessThan(Math.floor(Date.now() / 1000));
        expect(await claimOf(page, 'exp')).toBe(String(exp));
      },
    },
    {
      kind: 'nbf-future',
      missing: 'RFC 7519 4.1.5: not to be accepted before nbf',
      evidence: async ({ page, storedIdToken }) => {
        const { nbf } = decodeJwtPart(storedIdToken!, 1) as { nbf: number };
        // nbf = now + 3600 s by the tenant clock: not valid yet, an hour from now.
        expect(nbf).toBeGreaterThan(Math.floor(Date.now() / 1000));
        expect(await page.$('#claim-nbf')).toBeNull(); // filtered from the profile as a protocol claim
      },
    },
    {
      kind: 'iat-removed',
      missing: 'OIDC Core 2: iat is required (3.1.3.7 (10) reads it)',
      evidence: async ({ page, storedIdToken }) => {
        expect(decodeJwtPart(storedIdToken!, 1)).not.toHaveProperty('iat');
        expect(await page.$('#claim-iat')).toBeNull();
      },
    },
    {
      kind: 'sig-xor',
      missing: '3.1.3.7 (6) lets a client skip the signature of a token-endpoint ID token over TLS (skippable)',
      evidence: async ({ storedIdToken, tenant }) => {
        expect(decodeJwtPart(storedIdToken!, 0)).toMatchObject({ alg: 'RS256' });
        await expect(compactVerify(storedIdToken!, await tenantKeys(tenant.tenantId))).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
      },
    },
    {
      kind: 'alg-none',
      missing: '3.1.3.7 (7): alg should be RS256 (the header is never read)',
      evidence: async ({ storedIdToken }) => {
        expect(decodeJwtPart(storedIdToken!, 0)).toMatchObject({ alg: 'none' });
        expect(storedIdToken!.endsWith('.')).toBe(true);
      },
    },
    {
      kind: 'kid-unknown',
      missing: '3.1.3.7 (6) (skippable, as sig-xor): no published key signed it',
      evidence: async ({ storedIdToken }) => expect(decodeJwtPart(storedIdToken!, 0)).toMatchObject({ alg: 'RS256', kid: 'mock-entra-unpublished-kid' }),
    },
  ];

  it.each(ACCEPTED)('KNOWN WRONG: accepts an ID token with $kind (missing: $missing)', async ({ kind, evidence }) => {
    const r = await signIn(kind);
    try {
      await expectAdeleSignedIn(r);
      expect(r.wire).toEqual(expectedWire(kind));
      await evidence(r);
    } finally {
      await r.close();
    }
  });

  /** Mutations ResponseValidator._validateIdTokenAttributes catches, with its exact message. */
  const REJECTED: { kind: string; message: string }[] = [
    { kind: 'nonce-near-miss', message: 'nonce in id_token does not match nonce in client storage' },
    // A nonce was sent and none came back: undefined !== the stored nonce, the same message.
    { kind: 'nonce-removed', message: 'nonce in id_token does not match nonce in client storage' },
    { kind: 'sub-removed', message: 'ID Token is missing a subject claim' },
  ];

  it.each(REJECTED)('refuses an ID token with $kind: "$message"', async ({ kind, message }) => {
    const r = await signIn(kind);
    try {
      expect(r.outcome).toBe('Sign-in failed');
      expect(await r.page.textContent('#error')).toBe(message);
      expect(await r.page.$$('#claims dd')).toEqual([]);
      expect(r.storedIdToken).toBeNull();
      expect(r.wire).toEqual(expectedWire(kind));
    } finally {
      await r.close();
    }
  });
});
