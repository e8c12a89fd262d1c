import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/server.js';
import { resolveOptions } from '../../src/config/options.js';
import { mockApp, type TestMock, T, CONTOSO, json } from '../support/mock-app.js';
import { freePort } from '../support/free-port.js';

/**
 * Security defaults (issue 5): the mock listens on loopback unless asked, the test-control API
 * refuses non-loopback callers unless enabled — both over real sockets, from this machine's own
 * non-loopback address when it has one — and the HTML views escape every fixture and request
 * value. (Constant-time secret comparison: secrets.test.ts.)
 */

/** This machine's first non-loopback IPv4 address: connecting to it from here comes from it, not from 127.0.0.1. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

function get(host: string, port: number, path: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest({ host, port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const discovery = `/${T}/v2.0/.well-known/openid-configuration`;

describe('binding', () => {
  it('startMockEntra and the CLI default to 127.0.0.1 — an empty host too (Node would take it for every interface)', () => {
    expect(resolveOptions({}).host).toBe('127.0.0.1');
    expect(resolveOptions({ host: '' }).host).toBe('127.0.0.1');
  });

  it('startMockEntra listens on 127.0.0.1 only, unless told otherwise', async () => {
    const mock = await startMockEntra({ port: 0, tls: false });
    try {
      const address = mock.app.server.address() as AddressInfo;
      expect(address.address).toBe('127.0.0.1');
      expect(await get('127.0.0.1', address.port, discovery)).toMatchObject({ status: 200 });
      if (external) expect(await get(external, address.port, discovery)).toEqual({ error: 'ECONNREFUSED' });
    } finally {
      await mock.close();
    }
  });

  it('the CLI, without --host, is reachable on loopback and not on the machine’s other addresses', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'serve', '--http', '--port', String(port)], {
      env: { ...process.env, MOCK_ENTRA_HOST: '', MOCK_ENTRA_PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const end = Date.now() + 30_000;
      while (!out.includes('Test-control API') && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('Test-control API');
      expect(await get('127.0.0.1', port, discovery)).toMatchObject({ status: 200 });
      if (external) expect(await get(external, port, discovery)).toEqual({ error: 'ECONNREFUSED' });
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});

describe('the test-control API and non-loopback callers', () => {
  let open: RunningMockEntra;
  let remote: RunningMockEntra;
  beforeAll(async () => {
    open = await startMockEntra({ port: 0, tls: false, host: '0.0.0.0' });
    remote = await startMockEntra({ port: 0, tls: false, host: '0.0.0.0', allowRemoteControl: true });
  });
  afterAll(async () => {
    await open?.close();
    await remote?.close();
  });

  it.skipIf(!external)(
    'refuses a caller from another address (a real socket from this machine’s non-loopback address), while Entra’s routes answer it',
    async () => {
      const port = (open.app.server.address() as AddressInfo).port;
      // Listening beyond loopback with no credential given, the mock made one at start: a caller
      // beyond loopback without it is answered 401 (mock-idp/test/security/control-token.test.ts has the rest).
      const refused = await get(external!, port, '/_mock/health');
      expect(refused).toMatchObject({ status: 401 });
      expect(JSON.parse((refused as { body: string }).body)).toEqual({
        error: { code: 'InvalidControlToken', message: expect.stringContaining('beyond loopback') },
      });
      expect(await get(external!, port, `/_mock/tenants/${T}`)).toMatchObject({ status: 401 });
      expect(await get(external!, port, discovery)).toMatchObject({ status: 200 });
      expect(await get('127.0.0.1', port, '/_mock/health')).toMatchObject({ status: 200 });
    },
  );

  it.skipIf(!external)('answers that caller when started with allowRemoteControl', async () => {
    const port = (remote.app.server.address() as AddressInfo).port;
    expect(await get(external!, port, '/_mock/health')).toMatchObject({ status: 200 });
  });

  it('refuses non-loopback remote addresses without the control credential (inject), and takes every loopback form', async () => {
    for (const remoteAddress of ['203.0.113.7', '10.0.0.1', '::ffff:192.0.2.1', '2001:db8::1', '::']) {
      const r = await open.app.inject({ method: 'GET', url: '/_mock/health', remoteAddress });
      expect(r.statusCode, remoteAddress).toBe(401);
    }
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const r = await open.app.inject({ method: 'GET', url: '/_mock/health', remoteAddress });
      expect(r.statusCode, remoteAddress).toBe(200);
    }
  });
});

describe('HTML views escape fixture and request values', () => {
  const EVIL = 'eeeeeeee-0000-4000-8000-000000000001';
  const MARK = '<x-pwn>"\'&';
  let m: TestMock;

  /** No raw marker anywhere: only its escaped form may appear. */
  const expectEscaped = (body: string): void => {
    expect(body).not.toContain('<x-pwn');
    expect(body).not.toMatch(/"\s*onmouseover=/);
    expect(body).not.toContain('<script>alert');
  };

  beforeAll(async () => {
    m = await mockApp();
    const fixture = json(await m.inject({ method: 'GET', url: `/_mock/tenants/${T}` })).fixture as {
      users: Array<{ displayName: string }>;
      applications: Array<{ displayName: string }>;
      oauth2PermissionGrants?: unknown[];
    };
    fixture.users[0]!.displayName = `<script>alert("dn")</script>${MARK}`;
    for (const a of fixture.applications) a.displayName = `App ${MARK}" onmouseover="alert(1)`;
    delete fixture.oauth2PermissionGrants; // consent is then asked for: the consent page shows the app's name
    const created = await m.inject({
      method: 'POST',
      url: '/_mock/tenants',
      payload: { ...fixture, id: EVIL, displayName: `Tenant ${MARK}`, verifiedDomains: ['evil.onmicrosoft.com'] },
    });
    expect(created.statusCode, created.body).toBe(201);
  });
  afterAll(() => m?.close());

  const authorize = (query: Record<string, string>, method: 'GET' | 'POST' = 'GET') =>
    method === 'GET'
      ? m.inject({ method: 'GET', url: `/${EVIL}/oauth2/v2.0/authorize?${new URLSearchParams(query).toString()}` })
      : m.inject({
          method: 'POST',
          url: `/${EVIL}/oauth2/v2.0/authorize`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(query).toString(),
        });
  const bridge = { client_id: CONTOSO.bridge.appId, redirect_uri: CONTOSO.bridge.redirectUri, response_type: 'code', scope: 'openid profile User.Read' };

  it('the sign-in page shows a user display name with <script> as text, and escapes state, login_hint and the app and tenant names', async () => {
    const r = await authorize({ ...bridge, state: `<script>alert("st")</script>${MARK}`, login_hint: `"><x-pwn onmouseover="x` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expectEscaped(r.body);
    expect(r.body).toContain('&lt;script&gt;alert(&quot;dn&quot;)&lt;/script&gt;');
    expect(r.body).toContain('App &lt;x-pwn&gt;&quot;&#39;&amp;&quot; onmouseover=&quot;alert(1)');
    expect(r.body).toContain('&lt;script&gt;alert(&quot;st&quot;)&lt;/script&gt;');
  });

  it('the password step and its error escape the typed sign-in name', async () => {
    // The form carries the page's one-time token (issue 9), as a browser posting the page would.
    const shown = await authorize({ ...bridge, state: MARK });
    const flowToken = /name="flowToken" value="([^"]+)"/.exec(shown.body)![1]!;
    const r = await authorize({ ...bridge, mock_action: 'login', loginfmt: `<x-pwn>@nowhere"`, state: MARK, flowToken }, 'POST');
    expect(r.body).toContain('This username may be incorrect.');
    expect(r.statusCode).toBe(200);
    expectEscaped(r.body);
  });

  it('the consent page escapes the app name and the carried parameters', async () => {
    const r = await authorize({ ...bridge, mock_login: 'auto', login_hint: CONTOSO.users.adele.upn, state: MARK });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(/Permissions requested|Need admin approval/);
    expectEscaped(r.body);
    expect(r.body).toContain('App &lt;x-pwn&gt;');
  });

  it('Microsoft’s error page escapes what it echoes (client id, redirect URI)', async () => {
    const unknownClient = await authorize({ ...bridge, client_id: `<x-pwn>${MARK}` });
    expect(unknownClient.body).toContain('AADSTS700016');
    expectEscaped(unknownClient.body);
    const badRedirect = await authorize({ ...bridge, redirect_uri: `https://x.example/<x-pwn>"onmouseover="a`, state: MARK });
    expect(badRedirect.body).toContain('AADSTS50011');
    expectEscaped(badRedirect.body);
    const badTenant = await m.inject({ method: 'GET', url: `/%3Cx-pwn%3E/oauth2/v2.0/authorize?${new URLSearchParams(bridge).toString()}` });
    expectEscaped(badTenant.body);
  });

  it('the form_post page escapes state and the redirect URI', async () => {
    const r = await m.inject({
      method: 'GET',
      url: `/${T}/oauth2/v2.0/authorize?${new URLSearchParams({ ...bridge, scope: 'openid', response_mode: 'form_post', mock_login: 'auto', login_hint: CONTOSO.users.adele.upn, state: `"><x-pwn>${MARK}` }).toString()}`,
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('name="hiddenform"');
    expectEscaped(r.body);
    expect(r.body).toContain('value="&quot;&gt;&lt;x-pwn&gt;');
  });

  it('the sign-out and 404 pages escape what they echo', async () => {
    const out = await m.inject({
      method: 'GET',
      url: `/${EVIL}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent('https://x.example/<x-pwn>')}&state=${encodeURIComponent(MARK)}`,
    });
    expect(out.statusCode).toBeLessThan(500);
    expectEscaped(out.body);
    const notFound = await m.inject({ method: 'GET', url: `/nothing/<x-pwn>"onmouseover="a` });
    expect(notFound.statusCode).toBe(404);
    expectEscaped(notFound.body);
  });
});
