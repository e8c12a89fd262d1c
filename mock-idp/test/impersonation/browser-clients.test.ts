import { createServer, type IncomingMessage, type Server } from 'node:http';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { Auth, type AuthConfig } from '@auth/core';
import MicrosoftEntraID from '@auth/core/providers/microsoft-entra-id';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { CONTOSO, impersonateMicrosoft, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import type { UserPhoto } from '../../src/directory/model.js';
import { launchChromiumAtMicrosoft, signInAdele } from './support/microsoft-chromium.js';
import { cloneContoso, decodeJwtPart, type ClonedTenant } from '../support/real-clients.js';

/**
 * Sign-ins through Chromium at https://login.microsoftonline.com/… with unmodified clients: MSAL
 * Node (authorization code), openid-client v6 on /organizations (its Entra branch: the
 * `{tenantid}` issuer accepted for the token's tid), and Auth.js's microsoft-entra-id provider
 * with only clientId, clientSecret and issuer — through to its profile photo from
 * https://graph.microsoft.com/v1.0/me/photos/48x48/$value. Node reaches Microsoft's names by the
 * in-process route; Chromium by `--host-resolver-rules`, trusting exactly the certificate Node
 * verified against the impersonation CA (`--ignore-certificate-errors-spki-list`), nothing more.
 */

// A JPEG's first bytes are all the fixture checks; the rest stands for an image.
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const PHOTO: UserPhoto = { contentType: 'image/jpeg', base64: JPEG.toString('base64'), width: 96, height: 96 };

let mock: RunningMockEntra;
let undo: () => void;
let browser: Browser;
let context: BrowserContext;
let rp: Server;
let rpOrigin: string;
let tenant: ClonedTenant;
let authConfig: AuthConfig;
/** The callback URL a sign-in ended on (the relying party below answers it). */
let landed: string[];

beforeAll(async () => {
  mock = await startMockEntra({ port: 0, impersonate: true });
  undo = impersonateMicrosoft(mock);
  rp = createServer((req, res) => {
    void answer(req).then(async (response) => {
      const headers: Record<string, string | string[]> = {};
      response.headers.forEach((v, k) => {
        if (k !== 'set-cookie') headers[k] = v;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) headers['set-cookie'] = cookies;
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => rp.listen(0, '127.0.0.1', r));
  rpOrigin = `http://localhost:${(rp.address() as { port: number }).port}`;
  tenant = await cloneContoso(mock.control, (f, ids) => {
    const app = f.applications!.find((a) => a.appId === ids.bridge)!;
    app.signInAudience = 'AzureADMultipleOrgs';
    app.web!.redirectUris = [`${rpOrigin}/callback`, `${rpOrigin}/auth/callback/microsoft-entra-id`];
    f.users!.find((u) => u.id === ids.adele)!.photo = PHOTO;
  });
  authConfig = {
    providers: [
      MicrosoftEntraID({
        clientId: tenant.ids.bridge,
        clientSecret: CONTOSO.bridge.secret,
        issuer: `https://login.microsoftonline.com/${tenant.tenantId}/v2.0`,
      }),
    ],
    secret: 'a-test-secret-of-at-least-thirty-two-characters',
    trustHost: true,
    basePath: '/auth',
  };
  browser = await launchChromiumAtMicrosoft(mock);
});

afterAll(async () => {
  undo?.();
  await Promise.all([browser?.close(), new Promise((r) => rp?.close(r)), mock?.close()]);
});

beforeEach(async () => {
  landed = [];
  context = await browser.newContext({ ignoreHTTPSErrors: false });
});

afterEach(async () => {
  await context.close();
});

/** The relying party: /callback records where a sign-in landed; /auth/* is Auth.js. */
async function answer(req: IncomingMessage): Promise<Response> {
  const url = new URL(req.url ?? '/', rpOrigin);
  if (url.pathname === '/callback') {
    landed.push(url.href);
    return new Response('signed in', { headers: { 'content-type': 'text/plain' } });
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
  return Auth(new Request(url, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) }), authConfig);
}

describe('unmodified clients signing in at https://login.microsoftonline.com', () => {
  it('MSAL Node ConfidentialClientApplication: authorization code through Chromium', async () => {
    const app = new ConfidentialClientApplication({
      auth: { clientId: tenant.ids.bridge, clientSecret: CONTOSO.bridge.secret, authority: `https://login.microsoftonline.com/${tenant.tenantId}` },
    });
    const redirectUri = `${rpOrigin}/callback`;
    const page = await context.newPage();
    await page.goto(await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri }));
    await signInAdele(page, tenant.domain);
    await page.waitForURL(new RegExp(`^${rpOrigin}/callback\\?`));
    const code = new URL(landed[0]!).searchParams.get('code')!;
    const result = await app.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri });
    expect(result.account?.username).toBe(`AdeleV@${tenant.domain}`);
    // MSAL keeps accounts under the cloud's preferred_cache alias, as instance discovery names it.
    expect(result.account?.environment).toBe('login.windows.net');
    expect(decodeJwtPart(result.idToken, 1).iss).toBe(`https://login.microsoftonline.com/${tenant.tenantId}/v2.0`);
  });

  it('openid-client v6 on https://login.microsoftonline.com/organizations/v2.0: the {tenantid} issuer for the token’s tid', async () => {
    const config = await oidc.discovery(new URL('https://login.microsoftonline.com/organizations/v2.0'), tenant.ids.bridge, CONTOSO.bridge.secret);
    expect(config.serverMetadata().issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rpOrigin}/callback`,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const page = await context.newPage();
    await page.goto(url.href);
    await signInAdele(page, tenant.domain);
    await page.waitForURL(new RegExp(`^${rpOrigin}/callback\\?`));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(landed[0]!), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()).toMatchObject({ iss: `https://login.microsoftonline.com/${tenant.tenantId}/v2.0`, tid: tenant.tenantId, aud: tenant.ids.bridge });
  });

  it('Auth.js microsoft-entra-id (clientId, clientSecret, issuer only): signed in, profile photo from graph.microsoft.com', async () => {
    const page = await context.newPage();
    await page.goto(`${rpOrigin}/auth/signin`);
    await page.click('button:has-text("Microsoft Entra ID")');
    await signInAdele(page, tenant.domain);
    await page.waitForURL((u) => u.origin === rpOrigin && !u.pathname.startsWith('/auth/callback'));
    const session = (await (await page.goto(`${rpOrigin}/auth/session`))!.json()) as { user?: { name: string; email: string; image: string } };
    // Auth.js lower-cases the email claim (AdeleV@contoso.com); the photo is the data URL its provider makes.
    expect(session.user).toEqual({ name: 'Adele Vance', email: 'adelev@contoso.com', image: `data:image/jpeg;base64, ${PHOTO.base64}` });
    // The photo came from the mock's Graph, asked as graph.microsoft.com.
    const log = await mock.control.requests(tenant.tenantId);
    expect(log.filter((e) => e.url === '/v1.0/me/photos/48x48/$value').map((e) => e.status)).toEqual([200]);
  });
});
