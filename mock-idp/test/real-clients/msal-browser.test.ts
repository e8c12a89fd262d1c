import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Msal from '@azure/msal-browser';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/directory/model.js';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import type { PatchOperation } from '../../src/support/json-patch.js';
import { launchBrowserSession, verifiedSpki } from '../support/pinned-chromium.js';
import { cloneContoso, decodeJwtPart, SPA_CALLBACK_PATH, type ClonedTenant } from '../support/real-clients.js';
import { startSpaHost, type SpaHost } from '../support/spa-host.js';

/**
 * msal-browser 5 itself, in Chromium, against the mock over TLS (issue 11: "msal-browser in
 * Chromium for CORS and logout"). The single-page app is OpenMetadata UI (a SPA redirect URI,
 * `http://localhost:8585/callback`); its page is served on another origin, `http://localhost:<port>/callback`
 * (a secure context; Entra ignores the port of an http://localhost redirect URI), and loads
 * msal-browser's UMD build. Everything on the wire — discovery, /authorize in the top window and
 * in msal's hidden iframe, the cross-origin token redemptions, logout — is msal-browser's own;
 * the test only calls its API through `page.evaluate` and reads what it returns.
 *
 * msal-browser refuses an http authority, so the mock runs on HTTPS and Chromium accepts exactly
 * the mock's certificate key, verified against its CA first (support/pinned-chromium.ts).
 * Sign-in needs no page: `extraQueryParameters: { mock_login: 'auto' }` with the login hint.
 */

declare global {
  interface Window {
    msal: typeof Msal;
  }
}

const TID = CONTOSO.tenantId;
const UI = CONTOSO.openMetadataUi;
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const { adele } = CONTOSO.users;

let mock: RunningMockEntra;
let spa: SpaHost;
let pin: string;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-msal-browser-'));
  [mock, spa] = await Promise.all([startMockEntra({ port: 0, tls: true, stateDir }), startSpaHost(SPA_CALLBACK_PATH)]);
  if (!mock.caPem) throw new Error('the mock runs on HTTPS here');
  pin = await verifiedSpki(mock.url, mock.caPem);
}, 60_000);

afterAll(async () => {
  await spa?.close();
  await mock?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

/** The page's msal-browser `auth` configuration (serializable: it crosses into the page). */
interface SpaAuth {
  clientId: string;
  authority: string;
  knownAuthorities: string[];
  redirectUri: string;
}

function spaAuth(tenant: string = TID, clientId: string = UI.appId): SpaAuth {
  return { clientId, authority: `${mock.url}/${tenant}`, knownAuthorities: [new URL(mock.url).host], redirectUri: spa.redirectUri };
}

/** What the page reports of an AuthenticationResult. */
interface TokenResult {
  accessToken: string;
  idToken: string;
  scopes: string[];
  fromCache: boolean;
  tokenType: string;
  account: Msal.AccountInfo;
}

/** What the page reports of a rejection: msal's error class and fields. */
interface MsalFailure {
  name: string;
  errorCode: string;
  errorMessage: string;
  subError: string;
  interactionRequired: boolean;
}

type Outcome = { ok: true; result: TokenResult } | { ok: false; error: MsalFailure };

async function openSpa(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(spa.redirectUri);
  return page;
}

/** Whether `url` is the mock's v2 authorize endpoint (asked for by the top window or an iframe). */
const isAuthorize = (url: string): boolean => url.startsWith(`${mock.url}/`) && new URL(url).pathname.endsWith('/oauth2/v2.0/authorize');

/**
 * loginRedirect as an app calls it (the page navigates away, so the call is not awaited), up to
 * the browser's return to the redirect URI with msal's response in the fragment.
 * Returns the authorize URL msal built.
 */
async function loginRedirect(page: Page, auth: SpaAuth, loginHint: string): Promise<URL> {
  const authorize = page.waitForRequest((r) => isAuthorize(r.url()) && r.isNavigationRequest());
  authorize.catch(() => undefined); // awaited below; not an unhandled rejection if the page fails first
  await page.evaluate(
    async ({ auth, loginHint }) => {
      const app = new window.msal.PublicClientApplication({ auth, cache: { cacheLocation: 'sessionStorage' } });
      await app.initialize();
      void app.loginRedirect({ scopes: ['User.Read'], loginHint, extraQueryParameters: { mock_login: 'auto' } });
    },
    { auth, loginHint },
  );
  const url = new URL((await authorize).url());
  await page.waitForURL((u) => u.origin === spa.origin && /(^#|&)(code|error)=/.test(u.hash));
  return url;
}

/** An msal-browser call the page makes (a token request that stays on the page). */
type MsalCall = { api: 'handleRedirectPromise' } | { api: 'ssoSilent'; scopes: string[]; loginHint: string } | { api: 'acquireTokenSilent'; scopes: string[] };

/**
 * Makes `call` on a PublicClientApplication built in the page, and reports its result or msal's
 * error. `handleRedirectPromise` redeems the code the redirect brought (cross-origin);
 * `ssoSilent` runs prompt=none in msal's hidden iframe; `acquireTokenSilent` reads msal's cache
 * or redeems its refresh token, for the account the cache holds.
 */
function callMsal(page: Page, auth: SpaAuth, call: MsalCall): Promise<Outcome> {
  return page.evaluate(
    async ({ auth, call }): Promise<Outcome> => {
      const app = new window.msal.PublicClientApplication({ auth, cache: { cacheLocation: 'sessionStorage' } });
      await app.initialize();
      try {
        let r: Msal.AuthenticationResult | null;
        if (call.api === 'handleRedirectPromise') r = await app.handleRedirectPromise();
        else if (call.api === 'ssoSilent') r = await app.ssoSilent({ scopes: call.scopes, loginHint: call.loginHint });
        else {
          const account = app.getAllAccounts()[0];
          if (!account) throw new Error('no account in the cache');
          r = await app.acquireTokenSilent({ scopes: call.scopes, account });
        }
        if (!r) throw new Error(`${call.api} found no response`);
        return {
          ok: true,
          result: { accessToken: r.accessToken, idToken: r.idToken, scopes: r.scopes, fromCache: r.fromCache, tokenType: r.tokenType, account: r.account },
        };
      } catch (e) {
        const x = e as Msal.AuthError;
        return {
          ok: false,
          error: {
            name: x.name,
            errorCode: x.errorCode,
            errorMessage: x.errorMessage,
            subError: x.subError,
            interactionRequired: e instanceof window.msal.InteractionRequiredAuthError,
          },
        };
      }
    },
    { auth, call },
  );
}

function succeeded(o: Outcome): TokenResult {
  if (!o.ok) throw new Error(`msal-browser failed: ${o.error.name} ${o.error.errorCode}: ${o.error.errorMessage}`);
  return o.result;
}

function failed(o: Outcome): MsalFailure {
  if (o.ok) throw new Error(`msal-browser succeeded where it should have failed (${o.result.account.username})`);
  return o.error;
}

/**
 * Runs `body` in a new browser session (a fresh profile: no cookies, no storage). Third-party
 * cookies are allowed unless said otherwise: msal's hidden iframe needs the mock's session cookie
 * inside the SPA's page (support/pinned-chromium.ts), as on Entra.
 */
async function inBrowserSession<T>(body: (context: BrowserContext) => Promise<T>, thirdPartyCookies: 'allow' | 'block' = 'allow'): Promise<T> {
  const session = await launchBrowserSession(pin, { thirdPartyCookies });
  try {
    return await body(session.context);
  } finally {
    await session.close();
  }
}

/**
 * A copy of Contoso (support/real-clients.ts) whose OpenMetadata UI registration is then changed
 * through the control API's JSON Patch: `patch` gets the app's JSON pointer and its registration.
 */
async function spaTenant(patch: (pointer: string, app: Application) => PatchOperation[]): Promise<{ tenant: ClonedTenant; auth: SpaAuth; upn: string }> {
  const tenant = await cloneContoso(mock.control);
  const index = tenant.fixture.applications!.findIndex((a) => a.appId === tenant.ids.openMetadataUi);
  await mock.control.patchFixture(tenant.tenantId, patch(`/applications/${index}`, tenant.fixture.applications![index]!));
  return { tenant, auth: spaAuth(tenant.tenantId, tenant.ids.openMetadataUi), upn: adele.upn.replace(CONTOSO.domain, tenant.domain) };
}

describe('msal-browser 5 in Chromium (SPA on another origin, mock over HTTPS)', () => {
  it('loginRedirect → handleRedirectPromise: the account (<oid>.<tid>), the ID token claims msal checked (nonce included) and the scopes', async () => {
    await inBrowserSession(async (context) => {
      const page = await openSpa(context);
      const authorize = await loginRedirect(page, spaAuth(), adele.upn);
      // What msal-browser sends: the code flow with PKCE, the answer in the fragment.
      expect(authorize.searchParams.get('client_id')).toBe(UI.appId);
      expect(authorize.searchParams.get('redirect_uri')).toBe(spa.redirectUri);
      expect(authorize.searchParams.get('response_type')).toBe('code');
      expect(authorize.searchParams.get('response_mode')).toBe('fragment');
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('scope')!.split(' ').sort()).toEqual(['User.Read', 'offline_access', 'openid', 'profile']);

      const result = succeeded(await callMsal(page, spaAuth(), { api: 'handleRedirectPromise' }));
      expect(result.account).toMatchObject({
        homeAccountId: `${adele.id}.${TID}`,
        localAccountId: adele.id,
        tenantId: TID,
        environment: new URL(mock.url).host,
        username: adele.upn,
        name: 'Adele Vance',
      });
      expect(result.account.idTokenClaims).toMatchObject({
        aud: UI.appId,
        iss: `${mock.url}/${TID}/v2.0`,
        tid: TID,
        oid: adele.id,
        preferred_username: adele.upn,
        ver: '2.0',
        // msal compared it with the nonce it sent before accepting the token.
        nonce: authorize.searchParams.get('nonce'),
      });
      expect(result.scopes).toEqual(['User.Read', 'profile', 'openid']);
      expect(result).toMatchObject({ fromCache: false, tokenType: 'Bearer' });
      expect(decodeJwtPart(result.accessToken, 1)).toMatchObject({ aud: GRAPH_APP_ID, scp: 'email openid profile User.Read', oid: adele.id });
    });
  });

  it('acquireTokenSilent for Graph (User.Read), then /v1.0/me read cross-origin thanks to Graph’s CORS; /_mock fails to fetch', async () => {
    await inBrowserSession(async (context) => {
      const page = await openSpa(context);
      await loginRedirect(page, spaAuth(), adele.upn);
      succeeded(await callMsal(page, spaAuth(), { api: 'handleRedirectPromise' }));

      const graph = succeeded(await callMsal(page, spaAuth(), { api: 'acquireTokenSilent', scopes: ['User.Read'] }));
      // The token the sign-in brought, from msal's cache.
      expect(graph).toMatchObject({ fromCache: true, scopes: ['User.Read', 'profile', 'openid'] });
      expect(decodeJwtPart(graph.accessToken, 1)).toMatchObject({ aud: GRAPH_APP_ID, appid: UI.appId });
      // Another resource: msal redeems the SPA's refresh token at the token endpoint, cross-origin.
      const api = succeeded(await callMsal(page, spaAuth(), { api: 'acquireTokenSilent', scopes: [UI.scope] }));
      expect(api).toMatchObject({ fromCache: false, scopes: [UI.scope, 'profile', 'openid'] });
      expect(decodeJwtPart(api.accessToken, 1)).toMatchObject({ aud: UI.apiUri, scp: 'access_as_user', oid: adele.id });

      const calls = await page.evaluate(
        async ({ mockUrl, accessToken }) => {
          const me = await fetch(`${mockUrl}/v1.0/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
          let control: string;
          try {
            control = `read ${(await fetch(`${mockUrl}/_mock/health`)).status}`;
          } catch (e) {
            control = `${(e as Error).name}: ${(e as Error).message}`;
          }
          return { me: { status: me.status, body: (await me.json()) as Record<string, unknown> }, control };
        },
        { mockUrl: mock.url, accessToken: graph.accessToken },
      );
      expect(calls.me.status).toBe(200);
      expect(calls.me.body).toMatchObject({ id: adele.id, displayName: 'Adele Vance', userPrincipalName: adele.upn, mail: adele.mail });
      expect(calls.control).toBe('TypeError: Failed to fetch');
    });
  });

  it('ssoSilent after a sign-in in the same browser: a token from the session, prompt=none in msal’s hidden iframe, no UI', async () => {
    await inBrowserSession(async (context) => {
      const first = await openSpa(context);
      await loginRedirect(first, spaAuth(), adele.upn);
      const signedIn = succeeded(await callMsal(first, spaAuth(), { api: 'handleRedirectPromise' }));
      await first.close();

      // Another tab of the app: empty sessionStorage, so only the mock's session cookie can answer.
      const page = await openSpa(context);
      const silent = page.waitForRequest((r) => isAuthorize(r.url()) && r.frame() !== page.mainFrame());
      silent.catch(() => undefined); // awaited below
      const result = succeeded(await callMsal(page, spaAuth(), { api: 'ssoSilent', scopes: ['User.Read'], loginHint: adele.upn }));
      const authorize = new URL((await silent).url());
      expect((await (await silent).allHeaders()).cookie).toMatch(/(^|; )ESTSAUTH=/);
      expect(authorize.searchParams.get('prompt')).toBe('none');
      expect(authorize.searchParams.get('login_hint')).toBe(adele.upn);
      expect(authorize.searchParams.get('mock_login')).toBeNull();
      expect(page.url()).toBe(spa.redirectUri);
      expect(result.fromCache).toBe(false);
      expect(result.account).toMatchObject({ homeAccountId: `${adele.id}.${TID}`, username: adele.upn });
      // The same session as the interactive sign-in.
      expect(result.account.idTokenClaims).toMatchObject({ sid: signedIn.account.idTokenClaims!.sid, nonce: authorize.searchParams.get('nonce') });
    });
  });

  it('ssoSilent without a session: InteractionRequiredAuthError login_required (AADSTS50058)', async () => {
    await inBrowserSession(async (context) => {
      const page = await openSpa(context);
      const error = failed(await callMsal(page, spaAuth(), { api: 'ssoSilent', scopes: ['User.Read'], loginHint: adele.upn }));
      expect(error).toMatchObject({ name: 'InteractionRequiredAuthError', errorCode: 'login_required', interactionRequired: true });
      expect(error.errorMessage).toContain('AADSTS50058: ');
    });
  });

  it('ssoSilent after a sign-in, in a browser blocking third-party cookies: login_required (AADSTS50058), the session cookie never reached the iframe', async () => {
    // What SPAs meet in Safari and in browsers blocking third-party cookies: the hidden iframe
    // is another site's page, so the identity provider's cookie stays home.
    // https://learn.microsoft.com/entra/identity-platform/reference-third-party-cookies-spas
    await inBrowserSession(async (context) => {
      const page = await openSpa(context);
      await loginRedirect(page, spaAuth(), adele.upn);
      succeeded(await callMsal(page, spaAuth(), { api: 'handleRedirectPromise' }));
      expect((await context.cookies(mock.url)).map((c) => c.name)).toContain('ESTSAUTH');
      const silent = page.waitForRequest((r) => isAuthorize(r.url()) && r.frame() !== page.mainFrame());
      silent.catch(() => undefined); // awaited below
      const error = failed(await callMsal(page, spaAuth(), { api: 'ssoSilent', scopes: ['User.Read'], loginHint: adele.upn }));
      expect((await (await silent).allHeaders()).cookie).toBeUndefined();
      expect(error).toMatchObject({ name: 'InteractionRequiredAuthError', errorCode: 'login_required' });
      expect(error.errorMessage).toContain('AADSTS50058: ');
    }, 'block');
  });

  it('logoutRedirect: what msal sends (logout_hint from the login_hint claim, no client_id), front-channel logout with iss and sid, back to postLogoutRedirectUri; the session is over server-side', async () => {
    const { tenant, auth, upn } = await spaTenant((ui) => [
      // The optional claim msal reads logout_hint from, and a front-channel logout URL.
      { op: 'add', path: `${ui}/optionalClaims`, value: { idToken: [{ name: 'login_hint' }] } },
      { op: 'add', path: `${ui}/web/logoutUrl`, value: spa.frontChannelLogoutUrl },
    ]);
    await inBrowserSession(async (context) => {
      const page = await openSpa(context);
      await loginRedirect(page, auth, upn);
      const claims = succeeded(await callMsal(page, auth, { api: 'handleRedirectPromise' })).account.idTokenClaims!;
      expect(typeof claims.login_hint).toBe('string');
      const sessionCookie = (await context.cookies(mock.url)).filter((c) => c.name === 'ESTSAUTH');
      expect(sessionCookie).toHaveLength(1);

      const logoutRequest = page.waitForRequest((r) => r.isNavigationRequest() && r.url().startsWith(`${auth.authority}/oauth2/v2.0/logout?`));
      const backToApp = page.waitForRequest((r) => r.isNavigationRequest() && r.frame() === page.mainFrame() && r.url().startsWith(`${spa.redirectUri}?`));
      backToApp.catch(() => undefined); // awaited below; not an unhandled rejection if the test fails first
      await page.evaluate(
        async ({ auth, postLogoutRedirectUri }) => {
          const app = new window.msal.PublicClientApplication({ auth, cache: { cacheLocation: 'sessionStorage' } });
          await app.initialize();
          const account = app.getAllAccounts()[0];
          if (!account) throw new Error('no account in the cache');
          void app.logoutRedirect({ account, postLogoutRedirectUri });
        },
        { auth, postLogoutRedirectUri: spa.redirectUri },
      );
      // msal-browser 5's logout request: no client_id, no id_token_hint; `pocd` ("popup origin
      // check done") and its own `state` besides the three the mock reads.
      const logout = new URL((await logoutRequest).url());
      expect([...logout.searchParams.keys()].sort()).toEqual(['client-request-id', 'logout_hint', 'pocd', 'post_logout_redirect_uri', 'state']);
      expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(spa.redirectUri);
      expect(logout.searchParams.get('logout_hint')).toBe(claims.login_hint);
      expect(logout.searchParams.get('client-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(logout.searchParams.get('pocd')).toBe('1');

      // The signed-out page loads the app's front-channel logout URL, then returns to the app.
      const frontChannel = await spa.hit(new URL(spa.frontChannelLogoutUrl).pathname);
      expect(Object.fromEntries(frontChannel.searchParams)).toEqual({ iss: `${mock.url}/${tenant.tenantId}/v2.0`, sid: claims.sid });
      // Back to post_logout_redirect_uri with msal's state, as OIDC RP-initiated logout returns it.
      expect(new URL((await backToApp).url()).searchParams.get('state')).toBe(logout.searchParams.get('state'));
      await page.waitForURL((u) => u.origin === spa.origin && u.pathname === SPA_CALLBACK_PATH);
      expect((await context.cookies(mock.url)).filter((c) => c.name === 'ESTSAUTH' && c.value !== '')).toEqual([]);

      // The old cookie put back (another tab, a copy) signs nobody in: the session ended at the mock.
      await context.addCookies(sessionCookie);
      const error = failed(await callMsal(page, auth, { api: 'ssoSilent', scopes: ['User.Read'], loginHint: upn }));
      expect(error).toMatchObject({ name: 'InteractionRequiredAuthError', errorCode: 'login_required' });
      expect(error.errorMessage).toContain('AADSTS50058: ');
    });
  });

  it('the SPA’s redirect URI registered as Web instead of SPA: msal’s code redemption fails with AADSTS9002326', async () => {
    const { auth, upn } = await spaTenant((ui, app) => [
      { op: 'remove', path: `${ui}/spa` },
      { op: 'add', path: `${ui}/web/redirectUris`, value: app.spa!.redirectUris },
    ]);
    await inBrowserSession(async (context) => {
      const page = await openSpa(context);
      // /authorize accepts the Web redirect URI and sends the code back…
      await loginRedirect(page, auth, upn);
      // …but a Web platform's code is not redeemed by a browser's cross-origin request.
      const error = failed(await callMsal(page, auth, { api: 'handleRedirectPromise' }));
      expect(error).toMatchObject({ name: 'ServerError', errorCode: 'invalid_request', interactionRequired: false });
      expect(error.errorMessage).toContain(
        `AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${spa.origin}'.`,
      );
    });
  });
});
