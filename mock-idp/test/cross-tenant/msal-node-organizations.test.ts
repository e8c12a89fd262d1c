import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ConfidentialClientApplication } from '@azure/msal-node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { msalNetworkClient, trustingFetch } from '../../src/testing.js';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { startRelyingParty, type RelyingParty } from '../support/relying-party.js';
import { decodeJwtPart } from '../support/real-clients.js';
import { FABRIKAM, fabrikam, GRAPH, PORTAL, TAILSPIN, tailspin } from './tenants.js';

/**
 * MSAL Node (ConfidentialClientApplication, unmodified) with the authority
 * `https://<mock>/organizations`, for Tailspin's multi-tenant app, and Carol of Fabrikam in
 * Chromium: she types her name and password on the sign-in page, accepts the consent page, and
 * MSAL redeems the code on /organizations. Her tokens carry Fabrikam's tid and issuer, and MSAL's
 * account is hers in Fabrikam; a silent refresh stays there.
 */

const CALLBACK = new URL(PORTAL.redirectUri).pathname;

let mock: RunningMockEntra;
let rp: RelyingParty;
let browser: Browser;

beforeAll(async () => {
  [mock, rp, browser] = await Promise.all([startMockEntra({ port: 0 }), startRelyingParty(), launchChromium()]);
  await mock.control.createTenant(tailspin());
  await mock.control.createTenant(fabrikam());
});
afterAll(async () => {
  await Promise.all([browser?.close(), rp?.close(), mock?.close()]);
});

describe('MSAL Node through /organizations: a user of another tenant', () => {
  it("Carol of Fabrikam signs in to Tailspin's multi-tenant app: Fabrikam's tid, issuer and account", async () => {
    const app = new ConfidentialClientApplication({
      auth: { clientId: PORTAL.appId, clientSecret: PORTAL.secret, authority: `${mock.url}/organizations`, knownAuthorities: [new URL(mock.url).host] },
      system: { networkClient: msalNetworkClient(trustingFetch(mock.caPem!)) },
    });
    const redirectUri = rp.redirectUri(CALLBACK);
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = randomUUID();
    const nonce = randomUUID();
    const url = await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state, nonce });
    expect(new URL(url).pathname).toBe('/organizations/oauth2/v2.0/authorize');

    const context = await newBrowserContext(browser, { trust: { origin: mock.url, caPem: mock.caPem! } });
    let callback: URL;
    try {
      const page = await context.newPage();
      const arrived = rp.callback(CALLBACK);
      await page.goto(url);
      await page.fill('#i0116', FABRIKAM.carol.upn);
      await page.click('#idSIButton9');
      await page.fill('#i0118', 'Carol-2025!');
      await page.click('#idSIButton9');
      // Fabrikam has no service principal for the app yet: Carol is asked to consent.
      await page.waitForSelector('#app-name');
      expect(await page.textContent('#app-name')).toBe(PORTAL.name);
      await page.click('#idSIButton9');
      callback = await arrived;
    } finally {
      await context.close();
    }
    expect(callback.searchParams.get('state')).toBe(state);
    const code = callback.searchParams.get('code')!;

    const result = await app.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri, codeVerifier: verifier, state, nonce }, { code, state, nonce });
    expect(result.tenantId).toBe(FABRIKAM.id);
    expect(result.account?.homeAccountId).toBe(`${FABRIKAM.carol.id}.${FABRIKAM.id}`);
    expect(result.account?.username).toBe(FABRIKAM.carol.upn);
    expect(result.idTokenClaims).toMatchObject({ tid: FABRIKAM.id, iss: `${mock.url}/${FABRIKAM.id}/v2.0`, aud: PORTAL.appId, oid: FABRIKAM.carol.id, nonce });
    expect(decodeJwtPart(result.accessToken, 1)).toMatchObject({
      aud: GRAPH,
      tid: FABRIKAM.id,
      iss: `https://sts.windows.net/${FABRIKAM.id}/`,
      appid: PORTAL.appId,
    });
    expect(result.idTokenClaims).not.toMatchObject({ tid: TAILSPIN.id });

    const silent = await app.acquireTokenSilent({ account: result.account!, scopes: ['User.Read'], forceRefresh: true });
    expect(decodeJwtPart(silent.accessToken, 1)).toMatchObject({ tid: FABRIKAM.id, oid: FABRIKAM.carol.id });
  });
});
