import { spawn, execFile as execFileCb, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import type { UserPhoto } from '../../src/directory/model.js';
import { PACKAGE_ROOT } from '../../src/support/package-root.js';
import { launchChromiumAtMicrosoft, signInAdele } from './support/microsoft-chromium.js';
import { cloneContoso, type ClonedTenant } from '../support/real-clients.js';

/**
 * More unmodified clients through the preload (`NODE_OPTIONS="--import mock-entra/impersonate"`),
 * each in a child Node whose code names only Microsoft's hosts, a tenant, a client id and a
 * secret: the Graph JS SDK with its defaults paging groups and members (token from
 * @azure/identity in the same child); and a relying party built on openid-client v6 (discovery on
 * https://login.microsoftonline.com/organizations/v2.0, its Entra branch accepting the
 * `{tenantid}` issuer for the token's tid) and Auth.js's microsoft-entra-id provider (clientId,
 * clientSecret, issuer only, through its profile photo from graph.microsoft.com). A user signs in
 * to that child relying party through Chromium at https://login.microsoftonline.com, which
 * reaches the mock by `--host-resolver-rules` and trusts exactly the certificate Node verified
 * against the impersonation CA. The package export points at the built preload; here the same
 * module runs from source (through tsx).
 */
const execFile = promisify(execFileCb);
const PRELOAD = fileURLToPath(new URL('../../src/impersonation/preload.ts', import.meta.url));
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const PHOTO: UserPhoto = { contentType: 'image/jpeg', base64: JPEG.toString('base64'), width: 96, height: 96 };
const SECRET = CONTOSO.bridge.secret;

let mock: RunningMockEntra;
let tenant: ClonedTenant;
let rpOrigin: string;
let rp: ChildProcess | undefined;
let rpStderr = '';
let browser: Browser;
let context: BrowserContext;

/** What an unmodified Node child gets: PATH, HOME, the mock's address and CA, and the preload. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_OPTIONS: `--import tsx --import ${PRELOAD}`,
    MOCK_ENTRA_URL: mock.url,
    MOCK_ENTRA_CA: mock.impersonation!.caPath,
    ...extra,
  };
}

/** A free loopback port for the child relying party (its redirect URIs are registered first). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The child relying party: /oidc/start and /oidc/callback are openid-client v6 on
 * /organizations (the callback answers the verified ID token's claims as JSON); /auth/* is
 * Auth.js; any other path is the application's own page. Nothing in it knows of the mock.
 */
const RP_CODE = `
  import { createServer } from 'node:http';
  import * as oidc from 'openid-client';
  import { Auth } from '@auth/core';
  import MicrosoftEntraID from '@auth/core/providers/microsoft-entra-id';
  const origin = 'http://localhost:' + process.env.RP_PORT;
  const config = await oidc.discovery(new URL('https://login.microsoftonline.com/organizations/v2.0'), process.env.CLIENT_ID, process.env.CLIENT_SECRET);
  const authConfig = {
    providers: [MicrosoftEntraID({ clientId: process.env.CLIENT_ID, clientSecret: process.env.CLIENT_SECRET, issuer: process.env.ISSUER })],
    secret: 'a-test-secret-of-at-least-thirty-two-characters',
    trustHost: true,
    basePath: '/auth',
  };
  const pending = new Map();
  async function answer(req) {
    const url = new URL(req.url, origin);
    if (url.pathname === '/oidc/start') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      pending.set(state, verifier);
      const to = oidc.buildAuthorizationUrl(config, {
        redirect_uri: origin + '/oidc/callback', scope: 'openid profile', state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      return new Response(null, { status: 302, headers: { location: to.href } });
    }
    if (url.pathname === '/oidc/callback') {
      const state = url.searchParams.get('state');
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: pending.get(state), expectedState: state });
      return Response.json({ issuer: config.serverMetadata().issuer, claims: tokens.claims() });
    }
    if (!url.pathname.startsWith('/auth/')) return new Response('home', { headers: { 'content-type': 'text/plain' } });
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
    return Auth(new Request(url, { method: req.method, headers, ...(body ? { body } : {}) }), authConfig);
  }
  createServer((req, res) => {
    answer(req).then(async (response) => {
      const headers = {};
      response.headers.forEach((v, k) => { if (k !== 'set-cookie') headers[k] = v; });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) headers['set-cookie'] = cookies;
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
    }, (e) => { res.writeHead(500, { 'content-type': 'text/plain' }); res.end(String(e && e.stack || e)); });
  }).listen(Number(process.env.RP_PORT), '127.0.0.1', () => console.log('listening'));
`;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0, impersonate: true });
  const port = await freePort();
  rpOrigin = `http://localhost:${port}`;
  tenant = await cloneContoso(mock.control, (f, ids) => {
    const app = f.applications!.find((a) => a.appId === ids.bridge)!;
    app.signInAudience = 'AzureADMultipleOrgs';
    app.web!.redirectUris = [`${rpOrigin}/oidc/callback`, `${rpOrigin}/auth/callback/microsoft-entra-id`];
    f.users!.find((u) => u.id === ids.adele)!.photo = PHOTO;
  });
  const child = spawn(process.execPath, ['--input-type=module', '-e', RP_CODE], {
    cwd: PACKAGE_ROOT,
    env: childEnv({
      RP_PORT: String(port),
      CLIENT_ID: tenant.ids.bridge,
      CLIENT_SECRET: SECRET,
      ISSUER: `https://login.microsoftonline.com/${tenant.tenantId}/v2.0`,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  rp = child;
  child.stderr.on('data', (d: Buffer) => (rpStderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the child relying party exited (${code}): ${rpStderr}`)));
  });
  browser = await launchChromiumAtMicrosoft(mock);
}, 120_000);

afterAll(async () => {
  rp?.kill();
  await Promise.all([browser?.close(), mock?.close()]);
});

beforeEach(async () => {
  context = await browser.newContext({ ignoreHTTPSErrors: false });
});

afterEach(async () => {
  await context.close();
});

describe('the preload: Microsoft Graph JS SDK', () => {
  it('pages groups and a group’s members with its defaults, on an @azure/identity token', async () => {
    const code = `
      import { ClientSecretCredential } from '@azure/identity';
      import { Client, PageIterator } from '@microsoft/microsoft-graph-client';
      import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
      const credential = new ClientSecretCredential(process.env.TENANT_ID, process.env.CLIENT_ID, process.env.CLIENT_SECRET);
      const client = Client.initWithMiddleware({
        authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
      });
      const all = async (path) => {
        const first = await client.api(path).top(1).get();
        const ids = [];
        const iterator = new PageIterator(client, first, (item) => { ids.push(item.id); return true; });
        await iterator.iterate();
        return { ids: ids.sort(), firstLink: first['@odata.nextLink'] };
      };
      console.log(JSON.stringify({ groups: await all('/groups'), members: await all('/groups/' + process.env.GROUP_ID + '/members') }));
    `;
    const out = await execFile(process.execPath, ['--input-type=module', '-e', code], {
      cwd: PACKAGE_ROOT,
      env: childEnv({ TENANT_ID: CONTOSO.tenantId, CLIENT_ID: CONTOSO.bridge.appId, CLIENT_SECRET: SECRET, GROUP_ID: CONTOSO.groups.engineering }),
      timeout: 60_000,
    });
    expect(out.stderr).toBe('');
    const { fixture } = await mock.control.getTenant(CONTOSO.tenantId);
    const engineering = (fixture.groups ?? []).find((g) => g.id === CONTOSO.groups.engineering)!;
    const result = JSON.parse(out.stdout) as Record<'groups' | 'members', { ids: string[]; firstLink: string }>;
    expect(result.groups.ids).toEqual((fixture.groups ?? []).map((g) => g.id).sort());
    expect(result.groups.firstLink).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/groups\?\$top=1&\$skiptoken=/);
    expect(result.members.ids).toEqual([...(engineering.members ?? [])].sort());
    expect(result.members.firstLink).toMatch(
      new RegExp(`^https://graph\\.microsoft\\.com/v1\\.0/groups/${CONTOSO.groups.engineering}/members\\?\\$top=1&\\$skiptoken=`),
    );
    // One page per item at $top=1: the SDK followed every nextLink to the mock.
    const log = await mock.control.requests(CONTOSO.tenantId);
    expect(log.filter((e) => e.url.startsWith('/v1.0/groups?') && e.status === 200)).toHaveLength(result.groups.ids.length);
    expect(log.filter((e) => e.url.startsWith(`/v1.0/groups/${CONTOSO.groups.engineering}/members?`) && e.status === 200)).toHaveLength(
      result.members.ids.length,
    );
  });
});

describe('the preload: a relying party signing users in at https://login.microsoftonline.com', () => {
  it('openid-client v6 on /organizations/v2.0: the {tenantid} issuer, then the token’s own tenant', async () => {
    const page = await context.newPage();
    await page.goto(`${rpOrigin}/oidc/start`);
    await signInAdele(page, tenant.domain);
    await page.waitForURL(new RegExp(`^${rpOrigin}/oidc/callback\\?`));
    const body = JSON.parse((await page.textContent('body')) ?? '') as { issuer: string; claims: Record<string, unknown> };
    expect(rpStderr).toBe('');
    expect(body.issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
    expect(body.claims).toMatchObject({
      iss: `https://login.microsoftonline.com/${tenant.tenantId}/v2.0`,
      tid: tenant.tenantId,
      aud: tenant.ids.bridge,
      preferred_username: `AdeleV@${tenant.domain}`,
    });
  });

  it('Auth.js microsoft-entra-id (clientId, clientSecret, issuer only): signed in, profile photo from graph.microsoft.com', async () => {
    const page = await context.newPage();
    await page.goto(`${rpOrigin}/auth/signin`);
    await page.click('button:has-text("Microsoft Entra ID")');
    await signInAdele(page, tenant.domain);
    await page.waitForURL((u) => u.origin === rpOrigin && !u.pathname.startsWith('/auth/callback'));
    const session = (await (await page.goto(`${rpOrigin}/auth/session`))!.json()) as { user?: Record<string, string> };
    expect(rpStderr).toBe('');
    expect(session.user).toEqual({ name: 'Adele Vance', email: 'adelev@contoso.com', image: `data:image/jpeg;base64, ${PHOTO.base64}` });
    const log = await mock.control.requests(tenant.tenantId);
    expect(log.filter((e) => e.url === '/v1.0/me/photos/48x48/$value').map((e) => e.status)).toEqual([200]);
  });
});
