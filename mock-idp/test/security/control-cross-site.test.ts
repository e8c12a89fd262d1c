import { networkInterfaces } from 'node:os';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CONTOSO } from '../../src/contoso.js';
import { MockEntraControl, MockControlError } from '../../src/control-client.js';
import { serveMock, send, controlError, contosoCopy, jwksSize, T, type ServedMock } from './control-support.js';

/**
 * Issue 9 item 2: web pages and DNS rebinding driving the test-control API. A page in the
 * developer's browser is a loopback caller: before the fix its cross-origin `text/plain` or form
 * POSTs rotated keys, reset tenants and revoked sessions (no CORS preflight for those), and a
 * rebound host name (`Host: rebind.attacker.example:PORT`) read fixtures with their secrets and
 * created tenants. Every request here goes over a real socket to 127.0.0.1, with the headers a
 * browser would send.
 */

const TOKEN = 'control-token-for-tests-0123456789';
const ATTACKER = 'https://evil.example';
const paths = {
  rotate: `/_mock/tenants/${T}/keys/rotate`,
  reset: `/_mock/tenants/${T}/reset`,
  revoke: `/_mock/tenants/${T}/users/${encodeURIComponent(CONTOSO.users.adele.upn)}/revoke-sessions`,
};

let plain: ServedMock;
let withToken: ServedMock;
beforeAll(async () => {
  [plain, withToken] = await Promise.all([serveMock(), serveMock({ controlToken: TOKEN })]);
});
afterAll(async () => {
  await plain?.close();
  await withToken?.close();
});

describe('cross-site requests from a web page', () => {
  it('refuses cross-origin text/plain and form POSTs to keys/rotate, reset and revoke-sessions; JWKS does not grow', async () => {
    const before = await jwksSize(plain.port);
    for (const path of Object.values(paths)) {
      for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const r = await send(plain.port, 'POST', path, {
          headers: { origin: ATTACKER, 'content-type': type, 'sec-fetch-site': 'cross-site' },
          body: '{"retireAfterSeconds":0}',
        });
        expect(r.status, `${path} ${type}`).toBe(403);
        expect(controlError(r), `${path} ${type}`).toEqual({
          code: 'Forbidden',
          message: expect.stringMatching(/^Refused a request from a web page \(Sec-Fetch-Site: cross-site\)/),
        });
      }
      // A browser that sends no Sec-Fetch-Site still sends Origin on a POST.
      const r = await send(plain.port, 'POST', path, { headers: { origin: ATTACKER, 'content-type': 'text/plain' }, body: '{}' });
      expect(controlError(r), path).toEqual({
        code: 'Forbidden',
        message:
          "Refused a request from origin https://evil.example: the test-control API answers its own origin and callers that send no Origin (test code), never another site's pages.",
      });
    }
    expect(await jwksSize(plain.port)).toBe(before);
  });

  it('refuses a page on another localhost port (same site, another origin) and Origin: null', async () => {
    for (const origin of [`http://localhost:${plain.port + 1}`, `http://127.0.0.1:${plain.port + 1}`, `https://localhost:${plain.port}`, 'null']) {
      const r = await send(plain.port, 'POST', paths.rotate, { headers: { origin, 'content-type': 'application/json' }, body: '{}' });
      expect(r.status, origin).toBe(403);
      expect(controlError(r).message, origin).toBe(
        `Refused a request from origin ${origin}: the test-control API answers its own origin and callers that send no Origin (test code), never another site's pages.`,
      );
    }
    const sameSite = await send(plain.port, 'GET', `/_mock/tenants/${T}`, { headers: { 'sec-fetch-site': 'same-site' } });
    expect(controlError(sameSite).message).toMatch(/^Refused a request from a web page \(Sec-Fetch-Site: same-site\)/);
  });

  it('refuses a body that is not JSON even without Origin (a no-cors fetch of a Blob has no Content-Type)', async () => {
    const before = await jwksSize(plain.port);
    const text = await send(plain.port, 'POST', paths.rotate, { headers: { 'content-type': 'text/plain' }, body: '{"retireAfterSeconds":0}' });
    expect(text.status).toBe(403);
    expect(controlError(text)).toEqual({
      code: 'Forbidden',
      message:
        'Refused a POST with Content-Type text/plain: the test-control API takes JSON bodies only (Content-Type: application/json), which a web page cannot send another site without asking first.',
    });
    const untyped = await send(plain.port, 'POST', paths.rotate, { body: '{"retireAfterSeconds":0}' });
    expect(controlError(untyped)).toEqual({
      code: 'Forbidden',
      message: 'Refused a POST with a body but no Content-Type: the test-control API takes JSON bodies only (Content-Type: application/json).',
    });
    const form = await send(plain.port, 'DELETE', `/_mock/tenants/${T}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    expect(form.status).toBe(403);
    expect(await jwksSize(plain.port)).toBe(before);
    expect((await send(plain.port, 'GET', `/_mock/tenants/${T}`)).status).toBe(200);
  });

  it('answers its own origin (each name it is known by) and callers without Origin', async () => {
    const before = await jwksSize(plain.port);
    for (const [host, origin] of [
      [`localhost:${plain.port}`, `http://localhost:${plain.port}`],
      [`127.0.0.1:${plain.port}`, `http://127.0.0.1:${plain.port}`],
    ] as const) {
      const r = await send(plain.port, 'POST', paths.rotate, {
        headers: { host, origin, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        body: '{"retireAfterSeconds":3600}',
      });
      expect(r.status, `${origin}: ${r.body}`).toBe(200);
    }
    expect(await jwksSize(plain.port)).toBe(before + 2);
    expect((await send(plain.port, 'POST', paths.reset)).status).toBe(204);
    expect((await send(plain.port, 'POST', paths.revoke, { headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{}' })).status).toBe(200);
    // A person typing the URL into the address bar (Sec-Fetch-Site: none).
    expect((await send(plain.port, 'GET', '/_mock/health', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
  });
});

describe('DNS rebinding (a Host the mock is not known by)', () => {
  const rebound = (s: ServedMock): string => `rebind.attacker.example:${s.port}`;

  it('refuses GET /_mock/tenants/{T} (the fixture, with its secrets) and a JSON POST /_mock/tenants', async () => {
    const read = await send(plain.port, 'GET', `/_mock/tenants/${T}`, { headers: { host: rebound(plain) } });
    expect(read.status).toBe(403);
    expect(controlError(read)).toEqual({
      code: 'Forbidden',
      message: `Refused Host rebind.attacker.example:${plain.port}: the test-control API answers requests addressed to localhost, a loopback address, the bind address, the public URL's host or a --tls-host name only (a guard against DNS rebinding). Add the name with --tls-host or --public-url, or send the control credential (--control-token).`,
    });
    expect(read.body).not.toContain(CONTOSO.bridge.secret);

    const id = 'b1b2c3d4-0000-4000-8000-00000000e001';
    const create = await send(plain.port, 'POST', '/_mock/tenants', {
      headers: { host: rebound(plain), 'content-type': 'application/json' },
      body: JSON.stringify(await contosoCopy(plain.port, id, 'rebound.example.com')),
    });
    expect(create.status).toBe(403);
    expect(controlError(create).message).toMatch(/^Refused Host rebind\.attacker\.example:/);
    expect((await send(plain.port, 'GET', `/_mock/tenants/${id}`)).status).toBe(404);
  });

  it('refuses Host values a URL parser could read another host from, and takes every loopback spelling', async () => {
    for (const host of ['evil.example@localhost', 'localhost/x', 'localhost.attacker.example', '127.0.0.1.nip.io', 'attacker.example', '[::2]:80']) {
      const r = await send(plain.port, 'GET', '/_mock/health', { headers: { host } });
      expect(r.status, host).toBe(403);
      expect(controlError(r).code, host).toBe('Forbidden');
    }
    for (const host of ['localhost', `LOCALHOST:${plain.port}`, 'localhost.:1', '127.0.0.1', '127.8.9.10:99', `[::1]:${plain.port}`, '[::ffff:127.0.0.1]']) {
      const r = await send(plain.port, 'GET', '/_mock/health', { headers: { host } });
      expect(r.status, `${host}: ${r.body}`).toBe(200);
    }
  });

  it('answers the public URL’s host and the --tls-host names', async () => {
    const named = await serveMock({ publicUrl: 'http://mock-entra:8443', tlsHosts: ['idp.test'] });
    try {
      for (const host of ['mock-entra:8443', 'mock-entra', 'idp.test:1234', `localhost:${named.port}`]) {
        expect((await send(named.port, 'GET', '/_mock/health', { headers: { host } })).status, host).toBe(200);
      }
      expect((await send(named.port, 'GET', '/_mock/health', { headers: { host: 'other.test' } })).status).toBe(403);
      // The public URL's origin is the mock's own origin too (a page served behind that name).
      const r = await send(named.port, 'POST', '/_mock/tenants/' + T + '/clock/advance', {
        headers: { host: 'mock-entra:8443', origin: 'http://mock-entra:8443', 'content-type': 'application/json' },
        body: '{"seconds":0}',
      });
      expect(r.status, r.body).toBe(200);
    } finally {
      await named.close();
    }
  });
});

describe('the control credential (--control-token)', () => {
  const bearer = { authorization: `Bearer ${TOKEN}` };

  it('lets a request with the right token through a Host the mock is not known by (docker:49153)', async () => {
    const read = await send(withToken.port, 'GET', `/_mock/tenants/${T}`, { headers: { host: 'docker:49153', ...bearer } });
    expect(read.status, read.body).toBe(200);
    const id = 'b1b2c3d4-0000-4000-8000-00000000e002';
    const create = await send(withToken.port, 'POST', '/_mock/tenants', {
      headers: { host: 'docker:49153', ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify(await contosoCopy(withToken.port, id, 'token.example.com')),
    });
    expect(create.status, create.body).toBe(201);
    // Without it, the same requests are refused.
    expect((await send(withToken.port, 'GET', `/_mock/tenants/${T}`, { headers: { host: 'docker:49153' } })).status).toBe(403);
  });

  it('lets a non-loopback caller in with the token only (inject: the peer address is chosen)', async () => {
    const outside = { remoteAddress: '172.17.0.1', url: '/_mock/health', method: 'GET' as const };
    expect((await withToken.mock.app.inject({ ...outside, headers: bearer })).statusCode).toBe(200);
    const refused = await withToken.mock.app.inject(outside);
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'InvalidControlToken', message: expect.stringContaining('--control-token') } });
  });

  it('answers a wrong token, another scheme or a token the mock was not given with 401', async () => {
    for (const authorization of [`Bearer ${TOKEN}x`, 'Bearer ', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, `Bearer ${TOKEN.slice(0, -1)}`]) {
      const r = await send(withToken.port, 'GET', '/_mock/health', { headers: { authorization } });
      expect(r.status, authorization).toBe(401);
      expect(controlError(r), authorization).toEqual({
        code: 'InvalidControlToken',
        message: 'The control credential is wrong: send Authorization: Bearer <the token the mock was started with, --control-token>.',
      });
    }
    const untrusting = await send(plain.port, 'GET', '/_mock/health', { headers: bearer });
    expect(untrusting.status).toBe(401);
    expect(controlError(untrusting).message).toMatch(/^This mock has no control credential/);
  });

  it('does not lift the browser checks: a foreign Origin or a form body is refused with the token too', async () => {
    const r = await send(withToken.port, 'POST', paths.rotate, { headers: { ...bearer, origin: ATTACKER, 'content-type': 'application/json' }, body: '{}' });
    expect(controlError(r).message).toMatch(/^Refused a request from origin https:\/\/evil\.example/);
    const form = await send(withToken.port, 'POST', paths.rotate, { headers: { ...bearer, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    expect(form.status).toBe(403);
  });

  it('is optional on loopback: a mock started with a token still answers test code without one', async () => {
    expect((await send(withToken.port, 'GET', '/_mock/health')).status).toBe(200);
  });
});

describe('the typed client and remote control', () => {
  it('MockEntraControl works unchanged (JSON, JSON Patch and body-less calls), and sends its token', async () => {
    const control = plain.mock.control;
    expect((await control.health()).status).toBe('ok');
    const rotated = await control.rotateKeys(T, 60);
    expect(rotated.published).toContain(rotated.kid);
    await control.resetTenant(T);
    expect(await control.revokeSessions(T, CONTOSO.users.adele.upn)).toEqual({ value: true });
    const id = 'b1b2c3d4-0000-4000-8000-00000000e003';
    await control.createTenant(await contosoCopy(plain.port, id, 'typed.example.com'));
    expect((await control.patchFixture(id, [{ op: 'replace', path: '/displayName', value: 'Typed' }])).displayName).toBe('Typed');
    await control.advanceClock(id, 60);
    await control.deleteTenant(id);

    // startMockEntra hands out a client that carries the mock's token.
    expect((await withToken.mock.control.health()).status).toBe('ok');
    const wrong = new MockEntraControl(withToken.address, { token: 'nope' });
    await expect(wrong.health()).rejects.toBeInstanceOf(MockControlError);
    expect((await new MockEntraControl(withToken.address, { token: TOKEN }).listTenants()).tenants.length).toBeGreaterThan(0);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)('with --allow-remote-control, answers this machine’s own address as Host when bound to every interface', async () => {
    const open = await serveMock({ host: '0.0.0.0', allowRemoteControl: true });
    try {
      const r = await send(open.port, 'GET', '/_mock/health', { host: external!, headers: { host: `${external!}:${open.port}` } });
      expect(r.status, r.body).toBe(200);
      expect((await send(open.port, 'GET', '/_mock/health', { host: external!, headers: { host: `rebind.attacker.example:${open.port}` } })).status).toBe(403);
    } finally {
      await open.close();
    }
  });
});
