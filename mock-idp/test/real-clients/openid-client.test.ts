import { createPrivateKey, webcrypto } from 'node:crypto';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { createSigningKey } from '../../src/keys/certificates.js';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { startRelyingParty, type RelyingParty } from '../support/relying-party.js';
import { BRIDGE_CALLBACK_PATH, SPA_CALLBACK_PATH, cloneContoso, decodeJwtPart, trustingFetch, x5tOf, type ClonedTenant } from '../support/real-clients.js';

/**
 * openid-client v6, unmodified, documented options only, against the running mock.
 *
 * Two mocks are started:
 * - `secure`: HTTPS with the mock's local CA. openid-client trusts it through `[customFetch]`
 *   (a fetch on node:https with `ca`): discovery, client credentials, private_key_jwt, errors.
 * - `plain`: plain HTTP (`tls: false`), for the flows driven in Chromium. Chromium does not read
 *   NODE_EXTRA_CA_CERTS and trusting a CA there means writing the user's NSS database or a
 *   machine policy; plain HTTP keeps the browser honest (no certificate check is switched off),
 *   and openid-client is told so with its documented `allowInsecureRequests`.
 */
const TID = CONTOSO.tenantId;
const { adele, megan } = CONTOSO.users;

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

/** Discovery against the HTTPS mock, trusting its CA. */
function discoverSecure(tenantId: string, clientId: string, auth: client.ClientAuth): Promise<client.Configuration> {
  return client.discovery(new URL(`${secure.url}/${tenantId}/v2.0`), clientId, undefined, auth, {
    [client.customFetch]: trustingFetch(secure.caPem),
  });
}

/** Discovery against the plain-HTTP mock (browser flows). */
function discoverPlain(clientId: string, auth: client.ClientAuth, extra: Partial<client.DiscoveryRequestOptions> = {}): Promise<client.Configuration> {
  const { execute = [], ...rest } = extra;
  return client.discovery(new URL(`${plain.url}/${TID}/v2.0`), clientId, undefined, auth, {
    ...rest,
    execute: [client.allowInsecureRequests, ...execute],
  });
}

interface SignedIn {
  currentUrl: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/**
 * The browser part of the authorization code flow: open the URL openid-client built, pick the
 * account on the mock's sign-in page, and catch the redirect at the relying party. Each call is
 * a new browser session (fresh context, no SSO cookie).
 */
async function signInWithBrowser(config: client.Configuration, upn: string, scope: string, callbackPath = BRIDGE_CALLBACK_PATH): Promise<SignedIn> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: rp.redirectUri(callbackPath),
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const context = await newBrowserContext(browser);
  try {
    const page = await context.newPage();
    const callback = rp.callback(callbackPath);
    await page.goto(url.href);
    await page.click(`button.account[value="${upn}"]`);
    const currentUrl = await callback;
    return { currentUrl, verifier, state, nonce };
  } finally {
    await context.close();
  }
}

// The bridge's groupMembershipClaims is SecurityGroup: its ID tokens carry the user's security groups.
const ID_TOKEN_CLAIMS = [
  'aio',
  'aud',
  'email',
  'exp',
  'groups',
  'iat',
  'iss',
  'name',
  'nbf',
  'nonce',
  'oid',
  'preferred_username',
  'rh',
  'sid',
  'sub',
  'tid',
  'uti',
  'ver',
];

describe('openid-client: discovery', () => {
  it('discovers a GUID authority over HTTPS, trusting the mock CA through customFetch', async () => {
    const config = await discoverSecure(TID, CONTOSO.bridge.appId, client.ClientSecretPost(CONTOSO.bridge.secret));
    const m = config.serverMetadata();
    expect(m.issuer).toBe(`${secure.url}/${TID}/v2.0`);
    expect(m.authorization_endpoint).toBe(`${secure.url}/${TID}/oauth2/v2.0/authorize`);
    expect(m.token_endpoint).toBe(`${secure.url}/${TID}/oauth2/v2.0/token`);
    expect(m.jwks_uri).toBe(`${secure.url}/${TID}/discovery/v2.0/keys`);
  });

  it('refuses the mock when its CA is not trusted (global fetch, default roots)', async () => {
    const error = await client
      .discovery(new URL(`${secure.url}/${TID}/v2.0`), CONTOSO.bridge.appId, undefined, client.ClientSecretPost(CONTOSO.bridge.secret))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    const cause = (error as Error & { cause?: { cause?: { code?: string } } }).cause;
    expect(String(cause?.cause?.code ?? (cause as { code?: string } | undefined)?.code)).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});

describe('openid-client: authorization code + PKCE in Chromium (bridge, web app)', () => {
  let adeleSub: string;

  it('client_secret_post: exact ID token claims; state checked before the code is spent; refresh keeps the old token valid; a code is single-use', async () => {
    // enableNonRepudiationChecks: openid-client also verifies the ID token signature (JWKS).
    const config = await discoverPlain(CONTOSO.bridge.appId, client.ClientSecretPost(CONTOSO.bridge.secret), { execute: [client.enableNonRepudiationChecks] });
    const s = await signInWithBrowser(config, adele.upn, 'openid profile email offline_access');
    expect(s.currentUrl.origin).toBe(rp.origin);
    expect(s.currentUrl.searchParams.get('state')).toBe(s.state);

    // Negative twin first: a state that does not match is refused by openid-client itself,
    // before the code goes anywhere (so the same callback is still redeemable below).
    await expect(
      client.authorizationCodeGrant(config, s.currentUrl, { pkceCodeVerifier: s.verifier, expectedState: client.randomState(), expectedNonce: s.nonce }),
    ).rejects.toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });

    const tokens = await client.authorizationCodeGrant(config, s.currentUrl, {
      pkceCodeVerifier: s.verifier,
      expectedState: s.state,
      expectedNonce: s.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(Object.keys(claims).sort()).toEqual(ID_TOKEN_CLAIMS);
    expect(claims.groups).toEqual([CONTOSO.groups.engineering]);
    expect(claims).toMatchObject({
      iss: `${plain.url}/${TID}/v2.0`,
      aud: CONTOSO.bridge.appId,
      tid: TID,
      oid: adele.id,
      preferred_username: adele.upn,
      name: 'Adele Vance',
      email: adele.mail,
      nonce: s.nonce,
      ver: '2.0',
    });
    expect(claims.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(claims.sub).not.toBe(adele.id);
    adeleSub = claims.sub;
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();

    // UserInfo (hosted by Graph, so the default Graph access token works): openid-client
    // requires its sub to be the ID token's.
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toEqual({
      sub: claims.sub,
      name: 'Adele Vance',
      family_name: 'Vance',
      given_name: 'Adele',
      picture: `${plain.url}/v1.0/me/photo/$value`,
      email: adele.mail,
    });
    await expect(client.fetchUserInfo(config, tokens.access_token, 'another-subject')).rejects.toMatchObject({
      code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
    });

    // Entra: each refresh returns a new refresh token and the old one stays valid.
    const first = tokens.refresh_token!;
    const refreshed = await client.refreshTokenGrant(config, first);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(first);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims()?.sub).toBe(adeleSub);
    const again = await client.refreshTokenGrant(config, first);
    expect(again.access_token).toBeTruthy();
    const fromNew = await client.refreshTokenGrant(config, refreshed.refresh_token!);
    expect(fromNew.access_token).toBeTruthy();

    // Negative twin: the code was redeemed once; a second redemption is AADSTS54005.
    const reused = await client
      .authorizationCodeGrant(config, s.currentUrl, { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(reused).toBeInstanceOf(client.ResponseBodyError);
    expect(reused).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect((reused as client.ResponseBodyError).error_description).toMatch(/^AADSTS54005: OAuth2 Authorization code was already redeemed/);
  });

  it('client_secret_basic: sub is stable across sign-ins; a user without mail gets no email claim', async () => {
    const config = await discoverPlain(CONTOSO.bridge.appId, client.ClientSecretBasic(CONTOSO.bridge.secret));
    const s = await signInWithBrowser(config, adele.upn, 'openid profile email');
    const tokens = await client.authorizationCodeGrant(config, s.currentUrl, { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce });
    const claims = tokens.claims()!;
    expect(claims.oid).toBe(adele.id);
    expect(claims.email).toBe(adele.mail);
    if (adeleSub) expect(claims.sub).toBe(adeleSub);
    adeleSub ??= claims.sub;
    expect(tokens.refresh_token).toBeUndefined(); // no offline_access

    const m = await signInWithBrowser(config, megan.upn, 'openid profile email');
    const meganTokens = await client.authorizationCodeGrant(config, m.currentUrl, {
      pkceCodeVerifier: m.verifier,
      expectedState: m.state,
      expectedNonce: m.nonce,
    });
    const mc = meganTokens.claims()!;
    expect(Object.keys(mc).sort()).toEqual(ID_TOKEN_CLAIMS.filter((c) => c !== 'email'));
    expect(mc).toMatchObject({
      oid: megan.id,
      preferred_username: megan.upn,
      name: 'Megan Bowen',
      tid: TID,
      ver: '2.0',
      groups: [CONTOSO.groups.dataStewards],
    });
    expect(mc).not.toHaveProperty('email');
    expect(mc.sub).not.toBe(claims.sub);
  });

  it('sub is pairwise: the same user has another sub in another app (OpenMetadata SPA, public client, cross-origin redemption)', async () => {
    const bridge = await discoverPlain(CONTOSO.bridge.appId, client.ClientSecretPost(CONTOSO.bridge.secret));
    const b = await signInWithBrowser(bridge, adele.upn, 'openid profile');
    const bridgeSub = (
      await client.authorizationCodeGrant(bridge, b.currentUrl, { pkceCodeVerifier: b.verifier, expectedState: b.state, expectedNonce: b.nonce })
    ).claims()!.sub;

    // A SPA redeems its code from the browser, so the token request carries an Origin header
    // (Entra refuses SPA codes without one, AADSTS9002327); the fetch adds it as a browser would.
    const withOrigin: client.CustomFetch = (url, options) => trustingFetch(undefined)(url, { ...options, headers: { ...options.headers, origin: rp.origin } });
    const spa = await discoverPlain(CONTOSO.openMetadataUi.appId, client.None(), { [client.customFetch]: withOrigin });
    const s = await signInWithBrowser(spa, adele.upn, 'openid profile', SPA_CALLBACK_PATH);
    const spaTokens = await client.authorizationCodeGrant(spa, s.currentUrl, { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce });
    const sc = spaTokens.claims()!;
    expect(sc).toMatchObject({ aud: CONTOSO.openMetadataUi.appId, oid: adele.id, tid: TID });
    expect(sc.sub).not.toBe(bridgeSub);
  });

  it('a redirect_uri differing by a trailing slash stops at the error page (AADSTS50011) and never reaches the app', async () => {
    const config = await discoverPlain(CONTOSO.bridge.appId, client.ClientSecretPost(CONTOSO.bridge.secret));
    const redirectUri = `${rp.redirectUri(BRIDGE_CALLBACK_PATH)}/`;
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: client.randomState(),
      nonce: client.randomNonce(),
    });
    const before = rp.hits.length;
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(url.href);
      const message = page.locator('#error-message');
      await expect(message.getAttribute('data-aadsts')).resolves.toBe('50011');
      const text = await message.textContent();
      expect(text).toMatch(/^AADSTS50011: The redirect URI '.*\/sso\/callback\/vc-5f2a9c\/' specified in the request does not match/);
      expect(new URL(page.url()).origin).toBe(plain.url);
    } finally {
      await context.close();
    }
    expect(rp.hits.length).toBe(before);
  });

  it('a tampered ID token (one payload character changed) is rejected by openid-client', async () => {
    // openid-client trusts TLS for token responses; enableNonRepudiationChecks (documented)
    // makes it verify the ID token's signature with the JWKS as well. The fetch plays a
    // man in the middle that changes one character of the ID token's payload.
    const tamper: client.CustomFetch = async (url, options) => {
      const response = await trustingFetch(undefined)(url, options);
      if (!url.endsWith('/oauth2/v2.0/token') || response.status !== 200) return response;
      const body = (await response.json()) as { id_token: string };
      const [h, p, sig] = body.id_token.split('.') as [string, string, string];
      const payload = Buffer.from(p, 'base64url').toString('utf8').replace('"name":"Adele Vance"', '"name":"Adele Vancf"');
      body.id_token = `${h}.${Buffer.from(payload).toString('base64url')}.${sig}`;
      return new Response(JSON.stringify(body), { status: 200, headers: response.headers });
    };
    const config = await discoverPlain(CONTOSO.bridge.appId, client.ClientSecretPost(CONTOSO.bridge.secret), {
      execute: [client.enableNonRepudiationChecks],
      [client.customFetch]: tamper,
    });
    const s = await signInWithBrowser(config, adele.upn, 'openid profile');
    const error = await client
      .authorizationCodeGrant(config, s.currentUrl, { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(client.ClientError);
    expect(error).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE', cause: { message: 'JWT signature verification failed' } });
    // (Its positive twin is the first test of this block: same checks, untouched token.)
  });

  it('an ID token whose nonce is not the one sent is rejected', async () => {
    const config = await discoverPlain(CONTOSO.bridge.appId, client.ClientSecretPost(CONTOSO.bridge.secret));
    const s = await signInWithBrowser(config, adele.upn, 'openid profile');
    await expect(
      client.authorizationCodeGrant(config, s.currentUrl, { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: client.randomNonce() }),
    ).rejects.toMatchObject({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' });
  });
});

describe('openid-client: client credentials (HTTPS, CA trusted)', () => {
  const apiScope = `${CONTOSO.openMetadataUi.apiUri}/.default`;

  it('with a secret: a v1 app-only token for the OpenMetadata API', async () => {
    const config = await discoverSecure(TID, CONTOSO.ingestion.appId, client.ClientSecretPost(CONTOSO.ingestion.secret));
    const tokens = await client.clientCredentialsGrant(config, { scope: apiScope });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBeGreaterThanOrEqual(3600);
    expect(tokens.refresh_token).toBeUndefined();
    const header = decodeJwtPart(tokens.access_token, 0);
    expect(header).toMatchObject({ typ: 'JWT', alg: 'RS256' });
    expect(header.x5t).toBe(header.kid); // v1 tokens carry both
    const at = decodeJwtPart(tokens.access_token, 1);
    expect(at).toMatchObject({
      aud: CONTOSO.openMetadataUi.apiUri,
      iss: `https://sts.windows.net/${TID}/`,
      appid: CONTOSO.ingestion.appId,
      appidacr: '1',
      idtyp: 'app',
      tid: TID,
      ver: '1.0',
    });
    expect(at).not.toHaveProperty('roles');
    expect(at).not.toHaveProperty('scp');
    expect(at.sub).toBe(at.oid);
  });

  it('refuses a wrong secret (AADSTS7000215), an expired one (7000222), and the client id pasted as the secret (7000215)', async () => {
    const attempt = async (secret: string): Promise<client.ResponseBodyError> => {
      const config = await discoverSecure(TID, CONTOSO.bridge.appId, client.ClientSecretPost(secret));
      const e = await client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(client.ResponseBodyError);
      return e as client.ResponseBodyError;
    };
    const wrong = await attempt('brg8Q~Not-The-Secret');
    expect(wrong).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(wrong.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(wrong.cause.error_codes).toEqual([7000215]);

    const expired = await attempt(CONTOSO.bridge.expiredSecret);
    expect(expired).toMatchObject({ error: 'invalid_client' });
    expect(expired.error_description).toMatch(/^AADSTS7000222: The provided client secret keys for app '0221982c-674f-4c07-930d-62307ef0b73c' are expired\./);

    const pasted = await attempt(CONTOSO.bridge.appId);
    expect(pasted).toMatchObject({ error: 'invalid_client' });
    expect(pasted.error_description).toMatch(/^AADSTS7000215: /);

    // The positive twin of the same call.
    const config = await discoverSecure(TID, CONTOSO.bridge.appId, client.ClientSecretPost(CONTOSO.bridge.secret));
    await expect(client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' })).resolves.toHaveProperty('access_token');
  });

  describe('with private_key_jwt (certificate registered on an app of a tenant created for this test)', () => {
    let tenant: ClonedTenant;
    let registered: { keyPem: string; certPem: string };
    let stranger: { keyPem: string; certPem: string };

    beforeAll(async () => {
      [registered, stranger] = await Promise.all([createSigningKey(), createSigningKey()]);
      tenant = await cloneContoso(secure.control, (f, ids) => {
        const app = f.applications!.find((a) => a.appId === ids.ingestion)!;
        app.keyCredentials = [
          { keyId: webcrypto.randomUUID(), displayName: 'CN=ingestion-cert', type: 'AsymmetricX509Cert', usage: 'Verify', key: registered.certPem },
        ];
      });
    });

    const importKey = (pem: string): Promise<CryptoKey> =>
      webcrypto.subtle.importKey(
        'pkcs8',
        createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }),
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['sign'],
      ) as Promise<CryptoKey>;

    /**
     * Entra identifies the certificate by `x5t` in the assertion header, and documents the
     * token endpoint as the assertion's `aud` (openid-client sends the issuer by default):
     * both set with the documented `modifyAssertion` hook.
     */
    async function configFor(keyPem: string, certPem: string): Promise<client.Configuration> {
      const tokenEndpoint = `${secure.url}/${tenant.tenantId}/oauth2/v2.0/token`;
      const auth = client.PrivateKeyJwt(await importKey(keyPem), {
        [client.modifyAssertion]: (header, payload) => {
          header.x5t = x5tOf(certPem);
          payload.aud = tokenEndpoint;
        },
      });
      const config = await discoverSecure(tenant.tenantId, tenant.ids.ingestion, auth);
      expect(config.serverMetadata().token_endpoint).toBe(tokenEndpoint);
      return config;
    }

    it('signs in as the app with its certificate (appidacr 2)', async () => {
      const config = await configFor(registered.keyPem, registered.certPem);
      const tokens = await client.clientCredentialsGrant(config, { scope: `api://${tenant.ids.openMetadataUi}/.default` });
      const at = decodeJwtPart(tokens.access_token, 1);
      expect(at).toMatchObject({
        aud: `api://${tenant.ids.openMetadataUi}`,
        iss: `https://sts.windows.net/${tenant.tenantId}/`,
        appid: tenant.ids.ingestion,
        appidacr: '2',
        idtyp: 'app',
        tid: tenant.tenantId,
      });
    });

    it('refuses an assertion signed with a certificate the app does not have (AADSTS700027)', async () => {
      const config = await configFor(stranger.keyPem, stranger.certPem);
      const e = await client.clientCredentialsGrant(config, { scope: `api://${tenant.ids.openMetadataUi}/.default` }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(client.ResponseBodyError);
      expect(e).toMatchObject({ error: 'invalid_client', status: 401 });
      const thumbprint = Buffer.from(x5tOf(stranger.certPem), 'base64url').toString('hex').toUpperCase();
      expect((e as client.ResponseBodyError).error_description).toMatch(
        /^AADSTS700027: Client assertion contains an invalid signature\. \[Reason - The key was not found\., Thumbprint of key used by client: '([0-9A-F]{40})'/,
      );
      expect((e as client.ResponseBodyError).error_description).toContain(`'${thumbprint}'`);
    });
  });
});
