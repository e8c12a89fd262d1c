import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngestion, startSpa, type RunningSpa } from '../../bridge/index.js';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../../mock-idp/src/index.js';
import { launchChromium, newBrowserContext } from '../../../mock-idp/test/support/browser.js';
import { copyContoso, pickAccount } from './support.js';

/**
 * The second seed (OpenMetadata): the ingestion client's client-credentials call (HTTPS mock,
 * CA trusted through trustingFetch) and the SPA's browser-side code + PKCE flow (plain-HTTP
 * mock: Chromium does not trust the mock's CA).
 */
const TID = CONTOSO.tenantId;
const { adele } = CONTOSO.users;

let plain: RunningMockEntra;
let secure: RunningMockEntra;
let browser: Browser;
const spas: RunningSpa[] = [];

beforeAll(async () => {
  [plain, secure, browser] = await Promise.all([startMockEntra({ port: 0, tls: false }), startMockEntra({ port: 0 }), launchChromium()]);
});

afterAll(async () => {
  await Promise.all(spas.map((s) => s.close()));
  await Promise.all([browser?.close(), plain?.close(), secure?.close()]);
});

describe('ingestion client (client credentials, api://{appId}/.default)', () => {
  const options = () => ({
    authority: `${secure.url}/${TID}`,
    clientId: CONTOSO.ingestion.appId,
    clientSecret: CONTOSO.ingestion.secret,
    scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
    ca: secure.caPem,
  });

  it('gets an app-only v1 token for the OpenMetadata API: no roles (the API has none)', async () => {
    const r = await runIngestion(options());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.tokenType.toLowerCase()).toBe('bearer');
    expect(r.claims).toMatchObject({
      aud: CONTOSO.openMetadataUi.apiUri,
      iss: `https://sts.windows.net/${TID}/`,
      appid: CONTOSO.ingestion.appId,
      appidacr: '1',
      idtyp: 'app',
      tid: TID,
      ver: '1.0',
    });
    expect(r.claims).not.toHaveProperty('roles');
    expect(r.claims).not.toHaveProperty('scp');
  });

  it('the client ID as the secret: AADSTS7000215 (phase token); an unknown tenant: AADSTS90002 (phase verify)', async () => {
    const wrong = await runIngestion({ ...options(), clientSecret: CONTOSO.ingestion.appId });
    expect(wrong).toMatchObject({ ok: false, error: { phase: 'token', error: 'invalid_client', aadsts: 7000215, status: 401 } });
    const tenant = await runIngestion({ ...options(), authority: `${secure.url}/nowhere.onmicrosoft.com` });
    expect(tenant).toMatchObject({ ok: false, error: { phase: 'verify', error: 'invalid_tenant', aadsts: 90002, status: 400 } });
  });
});

describe('SPA (public client, code + PKCE from the browser)', () => {
  it('completes the flow in Chromium, redeeming cross-origin, and shows the ID token claims', async () => {
    const spa = await startSpa({ authority: `${plain.url}/${TID}`, clientId: CONTOSO.openMetadataUi.appId, allowInsecureRequests: true });
    spas.push(spa);
    expect(spa.redirectUri).toMatch(/^http:\/\/localhost:\d+\/callback$/);
    expect(spa.tokenEndpoint).toBe(`${plain.url}/${TID}/oauth2/v2.0/token`);
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      const tokenRequests: Array<Promise<{ origin: string | undefined; method: string }>> = [];
      page.on('request', (r) => {
        if (r.url() === spa.tokenEndpoint) tokenRequests.push(r.allHeaders().then((h) => ({ origin: h.origin, method: r.method() })));
      });
      await page.goto(spa.url);
      await page.click('#login');
      await pickAccount(page, adele.upn);
      await page.waitForFunction(() => document.querySelector('#claims')?.textContent || document.querySelector('#error')?.textContent);
      await expect(page.locator('#error').textContent()).resolves.toBe('');
      const claims = JSON.parse((await page.locator('#claims').textContent())!) as Record<string, unknown>;
      expect(claims).toMatchObject({
        aud: CONTOSO.openMetadataUi.appId,
        iss: `${plain.url}/${TID}/v2.0`,
        oid: adele.id,
        preferred_username: adele.upn,
        name: 'Adele Vance',
        email: adele.mail,
        tid: TID,
        ver: '2.0',
      });
      expect(typeof claims.nonce).toBe('string');
      expect((await Promise.all(tokenRequests)).filter((r) => r.method === 'POST')).toEqual([{ origin: new URL(spa.url).origin, method: 'POST' }]);
      expect(new URL(page.url()).pathname).toBe('/callback');
    } finally {
      await context.close();
    }
  });

  it('with its redirect URI registered as Web instead of SPA: the browser-side redemption fails with AADSTS9002326 in #error', async () => {
    const t = await copyContoso(plain.control);
    const index = t.fixture.applications!.findIndex((a) => a.appId === t.ids.openMetadataUi);
    await plain.control.patchFixture(t.tenantId, [
      { op: 'replace', path: `/applications/${index}/spa/redirectUris`, value: [] },
      { op: 'add', path: `/applications/${index}/web/redirectUris`, value: [CONTOSO.openMetadataUi.redirectUri] },
    ]);
    const spa = await startSpa({ authority: `${plain.url}/${t.tenantId}`, clientId: t.ids.openMetadataUi, allowInsecureRequests: true });
    spas.push(spa);
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(spa.url);
      await page.click('#login');
      await pickAccount(page, t.upn('AdeleV'));
      const error = page.locator('#error');
      await page.waitForFunction(() => document.querySelector('#error')?.textContent);
      await expect(error.getAttribute('data-aadsts')).resolves.toBe('9002326');
      await expect(error.getAttribute('data-error')).resolves.toBe('invalid_request');
      await expect(error.textContent()).resolves.toMatch(
        /^AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type\./,
      );
      await expect(page.locator('#claims').textContent()).resolves.toBe('');
    } finally {
      await context.close();
    }
  });
});
