import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ConfidentialClientApplication, PublicClientApplication, type Configuration as MsalConfiguration } from '@azure/msal-node';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { msalNetworkClient } from '../../src/testing.js';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { startRelyingParty, type RelyingParty } from '../support/relying-party.js';
import { BRIDGE_CALLBACK_PATH, cloneContoso, decodeJwtPart, trustingFetch, type ClonedTenant } from '../support/real-clients.js';

/**
 * The misconfigurations of issue 11 §2 through real clients, over HTTP: what MSAL Node and
 * openid-client v6 make of Entra's answers (the error code they surface), and logout as MSAL.js
 * builds it, driven in Chromium (the URL its logoutRedirect builds — post_logout_redirect_uri,
 * client-request-id, logout_hint — with msal-browser itself in msal-browser.test.ts), with the
 * front-channel logout GET caught by a tiny relying-party server.
 */

const TID = CONTOSO.tenantId;
const BRIDGE = CONTOSO.bridge;
const UI = CONTOSO.openMetadataUi;
const { adele } = CONTOSO.users;
const MCP_SERVER = 'https://mcp.contoso.example';

let secure: RunningMockEntra;
let plain: RunningMockEntra;
let rp: RelyingParty;
let browser: Browser;

beforeAll(async () => {
  [secure, plain, rp, browser] = await Promise.all([
    startMockEntra({ port: 0 }),
    startMockEntra({ port: 0, tls: false }),
    startRelyingParty(),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), rp?.close(), secure?.close(), plain?.close()]);
});

const knownAuthorities = (): string[] => [new URL(secure.url).host];
const network = () => msalNetworkClient(trustingFetch(secure.caPem));

function msalConfidential(
  authority: string,
  extra: Partial<MsalConfiguration['auth']> = {},
  clientId: string = BRIDGE.appId,
  clientSecret: string = BRIDGE.secret,
) {
  return new ConfidentialClientApplication({
    auth: { clientId, clientSecret, authority, knownAuthorities: knownAuthorities(), ...extra },
    system: { networkClient: network() },
  });
}

/** What a rejected promise rejected with (undefined when it resolved). */
const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A bridge code from the tenant's own endpoint, built by MSAL's getAuthCodeUrl (mock_login=auto, no page). */
async function bridgeCode(): Promise<{ code: string; verifier: string; redirectUri: string }> {
  const app = msalConfidential(`${secure.url}/${TID}`);
  const redirectUri = rp.redirectUri(BRIDGE_CALLBACK_PATH);
  const { verifier, challenge } = pkce();
  const url = await app.getAuthCodeUrl({
    scopes: ['User.Read'],
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    loginHint: adele.upn,
    extraQueryParameters: { mock_login: 'auto' },
  });
  const response = await trustingFetch(secure.caPem)(url);
  const code = new URL(response.headers.get('location')!).searchParams.get('code');
  if (!code) throw new Error(`no code: ${response.status} ${response.headers.get('location')}`);
  return { code, verifier, redirectUri };
}

describe('msal-node: Entra’s answers to misconfigured token requests', () => {
  it('a single-tenant app with the /common authority: invalid_request AADSTS50194', async () => {
    const { code, verifier, redirectUri } = await bridgeCode();
    const error = await rejection(
      msalConfidential(`${secure.url}/common`).acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri, codeVerifier: verifier }),
    );
    expect(error).toMatchObject({ errorCode: 'invalid_request' });
    expect((error as { errorMessage: string }).errorMessage).toContain(
      `AADSTS50194: Application '${BRIDGE.appId}'(Identity Bridge) is not configured as a multi-tenant application.`,
    );
  });

  it('a resource that is not the scopes’ resource: invalid_target AADSTS9010010; the matching one is accepted', async () => {
    const app = msalConfidential(`${secure.url}/${TID}`);
    const first = await bridgeCode();
    const error = await rejection(
      app.acquireTokenByCode({ code: first.code, scopes: ['User.Read'], redirectUri: first.redirectUri, codeVerifier: first.verifier, resource: MCP_SERVER }),
    );
    expect(error).toMatchObject({ errorCode: 'invalid_target' });
    expect((error as { errorMessage: string }).errorMessage).toContain(
      "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.",
    );
    const second = await bridgeCode();
    const result = await app.acquireTokenByCode({
      code: second.code,
      scopes: ['User.Read'],
      redirectUri: second.redirectUri,
      codeVerifier: second.verifier,
      resource: 'https://graph.microsoft.com',
    });
    expect(decodeJwtPart(result.accessToken, 1).aud).toBe('00000003-0000-0000-c000-000000000000');
  });

  it('the v1 token endpoint without resource (MSAL given v1 metadata): invalid_resource AADSTS500013', async () => {
    const discovery = (await (await trustingFetch(secure.caPem)(`${secure.url}/${TID}/v2.0/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const authorityMetadata = JSON.stringify({ ...discovery, token_endpoint: `${secure.url}/${TID}/oauth2/token` });
    const app = msalConfidential(`${secure.url}/${TID}`, { authorityMetadata }, CONTOSO.ingestion.appId, CONTOSO.ingestion.secret);
    const error = await rejection(app.acquireTokenByClientCredential({ scopes: [`${UI.apiUri}/.default`] }));
    expect(error).toMatchObject({ errorCode: 'invalid_resource' });
    expect((error as { errorMessage: string }).errorMessage).toContain('AADSTS500013: Resource identifier is not provided.');
  });

  it('the device authorization endpoint refuses in Entra’s JSON, which MSAL reads by its error (no "Unexpected token \'<\'")', async () => {
    // A single-tenant app on /common (AADSTS50194); the flow itself: test/device-code/.
    const app = new PublicClientApplication({
      auth: { clientId: UI.appId, authority: `${secure.url}/common`, knownAuthorities: knownAuthorities() },
      system: { networkClient: network() },
    });
    const error = await rejection(app.acquireTokenByDeviceCode({ scopes: ['User.Read'], deviceCodeCallback: () => undefined }));
    // MSAL's device-code client reports a refused device authorization request by its `error`.
    expect(error).toMatchObject({ errorCode: 'post_request_failed', errorMessage: 'invalid_request' });
  });
});

describe('openid-client: refusals delivered to the redirect URI', () => {
  /** Follows the authorization URL one hop (mock_login=auto) and hands the callback to openid-client. */
  async function callbackOf(url: URL): Promise<URL> {
    url.searchParams.set('mock_login', 'auto');
    url.searchParams.set('login_hint', adele.upn);
    const response = await trustingFetch(secure.caPem)(url);
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  it('a single-tenant app on /common: AuthorizationResponseError invalid_request (AADSTS50194)', async () => {
    // A configuration naming /common's endpoints (discovery on /common has a templated issuer,
    // which openid-client only accepts on Microsoft's own host: docs/entra-wire.md §11).
    const config = new client.Configuration(
      {
        issuer: `${secure.url}/${TID}/v2.0`,
        authorization_endpoint: `${secure.url}/common/oauth2/v2.0/authorize`,
        token_endpoint: `${secure.url}/common/oauth2/v2.0/token`,
      },
      BRIDGE.appId,
      BRIDGE.secret,
    );
    config[client.customFetch] = trustingFetch(secure.caPem);
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri(BRIDGE_CALLBACK_PATH), scope: 'openid User.Read', state });
    const error = await rejection(client.authorizationCodeGrant(config, await callbackOf(url), { expectedState: state }));
    expect(error).toBeInstanceOf(client.AuthorizationResponseError);
    expect((error as client.AuthorizationResponseError).error).toBe('invalid_request');
    expect((error as client.AuthorizationResponseError).error_description).toMatch(/^AADSTS50194: Application '/);
  });

  it('resource beside scopes of another API: AuthorizationResponseError invalid_target (AADSTS9010010)', async () => {
    const config = await client.discovery(new URL(`${secure.url}/${TID}/v2.0`), BRIDGE.appId, BRIDGE.secret, undefined, {
      [client.customFetch]: trustingFetch(secure.caPem),
    });
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri(BRIDGE_CALLBACK_PATH),
      scope: 'openid User.Read',
      state,
      resource: MCP_SERVER,
    });
    const error = await rejection(client.authorizationCodeGrant(config, await callbackOf(url), { expectedState: state }));
    expect((error as client.AuthorizationResponseError).error).toBe('invalid_target');
    expect((error as client.AuthorizationResponseError).error_description).toMatch(/^AADSTS9010010: /);
  });

  it('response_type id_token without the ID-token switch: the implicit flow gets unsupported_response_type (AADSTS700054) from the fragment', async () => {
    const config = await client.discovery(new URL(`${secure.url}/${TID}/v2.0`), BRIDGE.appId, BRIDGE.secret, undefined, {
      [client.customFetch]: trustingFetch(secure.caPem),
    });
    client.useIdTokenResponseType(config);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri(BRIDGE_CALLBACK_PATH), scope: 'openid', state, nonce });
    const callback = await callbackOf(url);
    expect(callback.hash.startsWith('#error=unsupported_response_type&')).toBe(true);
    const error = await rejection(client.implicitAuthentication(config, callback, nonce, { expectedState: state }));
    expect((error as client.AuthorizationResponseError).error).toBe('unsupported_response_type');
    expect((error as client.AuthorizationResponseError).error_description).toMatch(
      /^AADSTS700054: response_type 'id_token' is not enabled for the application\./,
    );
  });
});

describe('Chromium: logout as MSAL.js builds it, with front-channel logout', () => {
  let tenant: ClonedTenant;
  const FRONT_CHANNEL_PATH = '/signout-oidc';

  beforeAll(async () => {
    tenant = await cloneContoso(plain.control, (f, ids) => {
      const bridge = f.applications!.find((a) => a.appId === ids.bridge)!;
      bridge.optionalClaims = { ...bridge.optionalClaims, idToken: [...(bridge.optionalClaims?.idToken ?? []), { name: 'login_hint' }] };
      bridge.web = { ...bridge.web, logoutUrl: rp.redirectUri(FRONT_CHANNEL_PATH) };
    });
  });

  it('signs out, loads the app’s logoutUrl with iss and sid in a hidden iframe, and returns to post_logout_redirect_uri', async () => {
    const base = `${plain.url}/${tenant.tenantId}`;
    const redirectUri = rp.redirectUri(BRIDGE_CALLBACK_PATH);
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      const signedIn = rp.callback(BRIDGE_CALLBACK_PATH);
      const authorize = new URLSearchParams({
        client_id: tenant.ids.bridge,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid profile User.Read',
        login_hint: String(adele.upn).replace(CONTOSO.domain, tenant.domain),
        mock_login: 'auto',
      });
      await page.goto(`${base}/oauth2/v2.0/authorize?${authorize}`);
      const code = (await signedIn).searchParams.get('code')!;
      const tokens = (await (
        await fetch(`${base}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: tenant.ids.bridge,
            client_secret: BRIDGE.secret,
            code,
            redirect_uri: redirectUri,
          }),
        })
      ).json()) as { id_token: string };
      const idToken = decodeJwtPart(tokens.id_token, 1);
      expect(typeof idToken.login_hint).toBe('string');

      // What msal-browser's logoutRedirect({ account, postLogoutRedirectUri }) navigates to.
      const frontChannel = rp.callback(FRONT_CHANNEL_PATH);
      const returned = rp.callback(BRIDGE_CALLBACK_PATH);
      const logout = new URLSearchParams({ post_logout_redirect_uri: redirectUri, 'client-request-id': randomUUID(), logout_hint: String(idToken.login_hint) });
      await page.goto(`${base}/oauth2/v2.0/logout?${logout}`);
      const called = await frontChannel;
      expect(called.searchParams.get('iss')).toBe(`${base}/v2.0`);
      expect(called.searchParams.get('sid')).toBe(idToken.sid);
      expect((await returned).pathname).toBe(BRIDGE_CALLBACK_PATH);
      await page.waitForURL((u) => u.pathname === BRIDGE_CALLBACK_PATH);
      expect((await context.cookies(plain.url)).filter((c) => c.name === 'ESTSAUTH' && c.value !== '')).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
