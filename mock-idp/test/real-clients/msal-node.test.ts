import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import {
  ConfidentialClientApplication,
  type AuthenticationResult,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { createSigningKey } from '../../src/keys/certificates.js';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { startRelyingParty, type RelyingParty } from '../support/relying-party.js';
import { BRIDGE_CALLBACK_PATH, cloneContoso, decodeJwtPart, trustingFetch, type ClonedTenant } from '../support/real-clients.js';
import { msalNetworkClient } from '../../src/testing.js';

/**
 * @azure/msal-node (ConfidentialClientApplication), unmodified, documented options only.
 *
 * - Authority `https://localhost:<port>/<tenant GUID>` with `knownAuthorities: ['localhost:<port>']`,
 *   so MSAL skips Microsoft's instance discovery (docs/entra-wire.md §0) and reads the mock's own
 *   discovery document.
 * - Trust: MSAL's documented `system.networkClient` (INetworkModule) on node:https with the
 *   mock's CA. It also refuses every destination but the mock, so the test proves that MSAL
 *   made no call off this machine.
 * - MSAL refuses http authorities (authority_uri_insecure), so the browser flow runs against the
 *   HTTPS mock: Chromium reaches it through Node with the CA verified (support/browser.ts).
 */
const TID = CONTOSO.tenantId;
const { adele, alex } = CONTOSO.users;

let mock: RunningMockEntra;
let rp: RelyingParty;
let browser: Browser;

beforeAll(async () => {
  [mock, rp, browser] = await Promise.all([startMockEntra({ port: 0 }), startRelyingParty(), launchChromium()]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), rp?.close(), mock?.close()]);
});

/** MSAL's INetworkModule over a CA-trusting fetch that only lets requests to `origin` through. */
class MockOnlyNetworkClient implements INetworkModule {
  readonly requested: string[] = [];
  readonly refused: string[] = [];
  private readonly network: ReturnType<typeof msalNetworkClient>;

  constructor(
    private readonly origin: string,
    ca: string,
  ) {
    this.network = msalNetworkClient(
      trustingFetch(ca, (url) => {
        this.requested.push(url.href);
        if (url.origin !== this.origin) {
          this.refused.push(url.href);
          throw new Error(`network call off the machine refused: ${url.href}`);
        }
      }),
    );
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.network.sendGetRequestAsync<T>(url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.network.sendPostRequestAsync<T>(url, options);
  }
}

function msalApp(clientId: string, clientSecret: string): { app: ConfidentialClientApplication; network: MockOnlyNetworkClient } {
  const network = new MockOnlyNetworkClient(mock.url, mock.caPem!);
  const app = new ConfidentialClientApplication({
    auth: { clientId, clientSecret, authority: `${mock.url}/${TID}`, knownAuthorities: [new URL(mock.url).host] },
    system: { networkClient: network },
  });
  return { app, network };
}

/** Every call MSAL made went to the mock, and nothing was refused. */
function expectOnlyMockCalls(network: MockOnlyNetworkClient): void {
  expect(network.refused).toEqual([]);
  expect(network.requested.length).toBeGreaterThan(0);
  for (const url of network.requested) expect(new URL(url).origin).toBe(mock.url);
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function expectUserResult(result: AuthenticationResult, user: { id: string; upn: string }, name: string): void {
  expect(result.accessToken).toBeTruthy();
  expect(result.tokenType).toBe('Bearer');
  expect(result.tenantId).toBe(TID);
  expect(result.uniqueId).toBe(user.id);
  // client_info (uid.utid) makes the home account id, not the pairwise sub.
  expect(result.account?.homeAccountId).toBe(`${user.id}.${TID}`);
  expect(result.account?.localAccountId).toBe(user.id);
  expect(result.account?.tenantId).toBe(TID);
  expect(result.account?.username).toBe(user.upn);
  expect(result.account?.name).toBe(name);
  expect(result.idTokenClaims).toMatchObject({
    aud: CONTOSO.bridge.appId,
    iss: `${mock.url}/${TID}/v2.0`,
    oid: user.id,
    tid: TID,
    preferred_username: user.upn,
    name,
    ver: '2.0',
  });
  expect(result.scopes).toContain('User.Read');
  // A Graph token asked for by its short scope name: v1, aud is Graph's appId, scp lists the
  // Graph scopes granted (Entra puts the OIDC ones there too).
  const at = decodeJwtPart(result.accessToken, 1);
  expect(at).toMatchObject({ aud: '00000003-0000-0000-c000-000000000000', oid: user.id, tid: TID, appid: CONTOSO.bridge.appId, ver: '1.0' });
  expect(String(at.scp).split(' ')).toContain('User.Read');
}

describe('msal-node: client credentials', () => {
  it('acquires an app-only token for the OpenMetadata API without leaving the machine', async () => {
    const { app, network } = msalApp(CONTOSO.ingestion.appId, CONTOSO.ingestion.secret);
    const result = await app.acquireTokenByClientCredential({ scopes: [`${CONTOSO.openMetadataUi.apiUri}/.default`] });
    expect(result?.accessToken).toBeTruthy();
    expect(result?.tokenType).toBe('Bearer');
    const at = decodeJwtPart(result!.accessToken, 1);
    expect(at).toMatchObject({
      aud: CONTOSO.openMetadataUi.apiUri,
      iss: `https://sts.windows.net/${TID}/`,
      appid: CONTOSO.ingestion.appId,
      appidacr: '1',
      idtyp: 'app',
      ver: '1.0',
    });
    expect(at).not.toHaveProperty('roles');
    expectOnlyMockCalls(network);
    expect(network.requested).toContain(`${mock.url}/${TID}/v2.0/.well-known/openid-configuration`);
  });

  it('surfaces a wrong secret as invalid_client with AADSTS7000215', async () => {
    const { app, network } = msalApp(CONTOSO.ingestion.appId, 'ing8Q~Not-The-Secret');
    const error = await app.acquireTokenByClientCredential({ scopes: [`${CONTOSO.openMetadataUi.apiUri}/.default`] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ errorCode: 'invalid_client' });
    expect((error as { errorMessage: string }).errorMessage).toContain('AADSTS7000215: Invalid client secret provided.');
    expectOnlyMockCalls(network);
  });
});

describe('msal-node: client credentials with a certificate (a tenant created for this test)', () => {
  let tenant: ClonedTenant;
  let registered: { keyPem: string; certPem: string };
  let stranger: { keyPem: string; certPem: string };

  beforeAll(async () => {
    [registered, stranger] = await Promise.all([createSigningKey(), createSigningKey()]);
    tenant = await cloneContoso(mock.control, (f, ids) => {
      f.applications!.find((a) => a.appId === ids.ingestion)!.keyCredentials = [
        { keyId: randomUUID(), displayName: 'CN=ingestion-msal', type: 'AsymmetricX509Cert', usage: 'Verify', key: registered.certPem },
      ];
    });
  });

  /** MSAL Node signs the assertion with PS256 and names the certificate by x5t#S256. */
  function certificateApp(cert: { keyPem: string; certPem: string }): { app: ConfidentialClientApplication; network: MockOnlyNetworkClient } {
    const network = new MockOnlyNetworkClient(mock.url, mock.caPem!);
    const thumbprintSha256 = createHash('sha256').update(new X509Certificate(cert.certPem).raw).digest('hex');
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: tenant.ids.ingestion,
        clientCertificate: { thumbprintSha256, privateKey: cert.keyPem },
        authority: `${mock.url}/${tenant.tenantId}`,
        knownAuthorities: [new URL(mock.url).host],
      },
      system: { networkClient: network },
    });
    return { app, network };
  }

  it('acquires an app-only token with the registered certificate (appidacr 2)', async () => {
    const { app, network } = certificateApp(registered);
    const result = await app.acquireTokenByClientCredential({ scopes: [`api://${tenant.ids.openMetadataUi}/.default`] });
    expect(decodeJwtPart(result!.accessToken, 1)).toMatchObject({ appid: tenant.ids.ingestion, appidacr: '2', tid: tenant.tenantId, idtyp: 'app' });
    expectOnlyMockCalls(network);
  });

  it('is refused with a certificate the app does not have (AADSTS700027)', async () => {
    const { app } = certificateApp(stranger);
    const error = await app.acquireTokenByClientCredential({ scopes: [`api://${tenant.ids.openMetadataUi}/.default`] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ errorCode: 'invalid_client' });
    expect((error as { errorMessage: string }).errorMessage).toContain(
      'AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found.',
    );
  });
});

describe('msal-node: authorization code (bridge app, Graph User.Read)', () => {
  it('getAuthCodeUrl → sign-in in Chromium → acquireTokenByCode', async () => {
    const { app, network } = msalApp(CONTOSO.bridge.appId, CONTOSO.bridge.secret);
    const redirectUri = rp.redirectUri(BRIDGE_CALLBACK_PATH);
    const { verifier, challenge } = pkce();
    const state = randomUUID();
    const nonce = randomUUID();
    const url = await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state, nonce });
    expect(new URL(url).origin).toBe(mock.url);

    // Negative twin of the trust set-up: a browser that does not trust the mock's CA refuses it
    // (certificate errors are never ignored).
    const untrusting = await newBrowserContext(browser);
    try {
      await expect((await untrusting.newPage()).goto(url)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await untrusting.close();
    }

    const context = await newBrowserContext(browser, { trust: { origin: mock.url, caPem: mock.caPem! } });
    let callback: URL;
    try {
      const page = await context.newPage();
      const arrived = rp.callback(BRIDGE_CALLBACK_PATH);
      await page.goto(url);
      await page.click(`button.account[value="${adele.upn}"]`);
      callback = await arrived;
    } finally {
      await context.close();
    }
    expect(callback.searchParams.get('state')).toBe(state);
    const code = callback.searchParams.get('code')!;

    const result = await app.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri, codeVerifier: verifier, state, nonce }, { code, state, nonce });
    expectUserResult(result, adele, 'Adele Vance');
    expect(result.idTokenClaims).toMatchObject({ nonce });
    expectOnlyMockCalls(network);

    // The account is cached: a silent call is served from MSAL's cache or its refresh token.
    const accounts = await app.getTokenCache().getAllAccounts();
    expect(accounts.map((a) => a.homeAccountId)).toEqual([`${adele.id}.${TID}`]);
    const silent = await app.acquireTokenSilent({ account: accounts[0]!, scopes: ['User.Read'], forceRefresh: true });
    expect(silent.account?.homeAccountId).toBe(`${adele.id}.${TID}`);
    expect(silent.accessToken).not.toBe(result.accessToken);
    expectOnlyMockCalls(network);
  });

  it('getAuthCodeUrl with extraQueryParameters mock_login=auto signs in without a page', async () => {
    const { app, network } = msalApp(CONTOSO.bridge.appId, CONTOSO.bridge.secret);
    const redirectUri = rp.redirectUri(BRIDGE_CALLBACK_PATH);
    const { verifier, challenge } = pkce();
    const state = randomUUID();
    const url = await app.getAuthCodeUrl({
      scopes: ['User.Read'],
      redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state,
      loginHint: alex.upn,
      extraQueryParameters: { mock_login: 'auto' },
    });
    expect(new URL(url).searchParams.get('mock_login')).toBe('auto');

    // A user agent that only follows the first redirect (the CA is trusted, nothing else leaves).
    const response = await trustingFetch(mock.caPem)(url);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe(state);
    const code = location.searchParams.get('code')!;

    const result = await app.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri, codeVerifier: verifier, state }, { code, state });
    expectUserResult(result, alex, 'Alex Wilber');
    expectOnlyMockCalls(network);

    // Negative twin: the same code, again, is refused (AADSTS54005) and MSAL says so.
    const again = await app.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri, codeVerifier: verifier }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(again).toMatchObject({ errorCode: 'invalid_grant' });
    expect((again as { errorMessage: string }).errorMessage).toContain('AADSTS54005');
  });
});
