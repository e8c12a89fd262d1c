import { request as httpsRequest } from 'node:https';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockControlError, MockEntraControl } from '../../src/control-client.js';
import { startBanner } from '../../src/server.js';
import { controlError, send, serveMock, type RawAnswer, type ServedMock } from './control-support.js';

/**
 * Issue 14 §1: the control credential over real HTTP. A mock listening beyond loopback (the
 * container image listens on 0.0.0.0) makes one at start unless given one or told
 * --allow-remote-control; callers beyond loopback must send it, loopback callers need none; the CA
 * is served at /_mock/ca.pem to anyone. "Beyond loopback" is this machine's own non-internal
 * address: a request to it arrives from it, not from 127.0.0.1.
 */

const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

const TOKEN = 'given-control-token-0123456789abcdef';
const MISSING =
  'The test-control API answers callers beyond loopback with the control credential only: send Authorization: Bearer <the token the mock was started with, --control-token or MOCK_ENTRA_CONTROL_TOKEN, or the one it printed at start>.';
const WRONG = 'The control credential is wrong: send Authorization: Bearer <the token the mock was started with, --control-token>.';

/** A request from this machine's external address, addressed to it. */
const remote = (mock: ServedMock, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> =>
  send(mock.port, 'GET', path, { host: external!, headers: { host: `${external!}:${mock.port}`, ...headers } });

describe.skipIf(!external)('the control credential of a mock listening on every interface', () => {
  let generated: ServedMock;
  let given: ServedMock;
  let open: ServedMock;
  beforeAll(async () => {
    [generated, given, open] = await Promise.all([
      serveMock({ host: '0.0.0.0' }),
      serveMock({ host: '0.0.0.0', controlToken: TOKEN }),
      serveMock({ host: '0.0.0.0', allowRemoteControl: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([generated?.close(), given?.close(), open?.close()]);
  });

  it('is generated at start (256 random bits, base64url) and printed in the banner', () => {
    const token = generated.mock.controlToken;
    expect(token?.generated).toBe(true);
    expect(token?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(startBanner(generated.mock)).toContain(`  control credential (callers beyond loopback send it): Authorization: Bearer ${token!.value}\n`);
  });

  it('refuses a remote caller without it: 401 InvalidControlToken', async () => {
    const r = await remote(generated, '/_mock/health');
    expect(r.status).toBe(401);
    expect(controlError(r)).toEqual({ code: 'InvalidControlToken', message: MISSING });
  });

  it('refuses a remote caller with a wrong one, or another scheme: 401 InvalidControlToken', async () => {
    const value = generated.mock.controlToken!.value;
    for (const authorization of [`Bearer ${value}x`, `Bearer ${value.slice(0, -1)}`, `Basic ${Buffer.from(`u:${value}`).toString('base64')}`, 'Bearer']) {
      const r = await remote(generated, '/_mock/health', { authorization });
      expect(r.status, authorization).toBe(401);
      expect(controlError(r), authorization).toEqual({ code: 'InvalidControlToken', message: WRONG });
    }
  });

  it('lets a remote caller with it in, under any Host name (a mapped port: docker:49153)', async () => {
    const authorization = `Bearer ${generated.mock.controlToken!.value}`;
    const r = await remote(generated, '/_mock/health', { authorization });
    expect(r.status, r.body).toBe(200);
    expect(r.json).toEqual({ status: 'ok', tenants: 1 });
    const proxied = await send(generated.port, 'GET', '/_mock/tenants', { host: external!, headers: { host: 'docker:49153', authorization } });
    expect(proxied.status, proxied.body).toBe(200);
  });

  it('keeps loopback callers working without it', async () => {
    expect((await send(generated.port, 'GET', '/_mock/health')).status).toBe(200);
  });

  it('is the one given (controlToken / MOCK_ENTRA_CONTROL_TOKEN) when there is one, and the banner does not print it', async () => {
    expect(given.mock.controlToken).toEqual({ value: TOKEN, generated: false });
    const banner = startBanner(given.mock);
    expect(banner).toContain('  control credential: the one given (--control-token, MOCK_ENTRA_CONTROL_TOKEN)\n');
    expect(banner).not.toContain(TOKEN);
    expect((await remote(given, '/_mock/health', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await remote(given, '/_mock/health')).status).toBe(401);
  });

  it('is not made with --allow-remote-control (documented as unsafe): remote callers need nothing', async () => {
    expect(open.mock.controlToken).toBeUndefined();
    expect((await remote(open, '/_mock/health')).status).toBe(200);
    expect(startBanner(open.mock)).not.toContain('control credential');
  });

  it('is carried by the typed client (the one startMockEntra returns, and one made with { token })', async () => {
    const url = `http://${external!}:${generated.port}`;
    expect((await new MockEntraControl(url, { token: generated.mock.controlToken!.value }).health()).status).toBe('ok');
    const refusal = await new MockEntraControl(url).health().catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(MockControlError);
    expect(refusal).toMatchObject({ status: 401, body: { error: { code: 'InvalidControlToken', message: MISSING } } });
    expect((await generated.mock.control.health()).status).toBe('ok');
  });
});

describe('a mock on loopback', () => {
  it('makes no control credential', async () => {
    const local = await serveMock();
    try {
      expect(local.mock.controlToken).toBeUndefined();
    } finally {
      await local.close();
    }
  });
});

describe('GET /_mock/ca.pem', () => {
  it('serves the CA to anyone (no credential), and the banner of a mock beyond loopback prints it', async () => {
    const tls = await serveMock({ host: '0.0.0.0', tls: true });
    try {
      const caPem = tls.mock.caPem!;
      const answer = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
        // From the external address when there is one: the route needs no credential.
        const req = httpsRequest({ host: external ?? '127.0.0.1', port: tls.port, path: '/_mock/ca.pem', servername: 'localhost', ca: caPem }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer).toEqual({ status: 200, type: 'application/x-pem-file', body: caPem });
      expect(caPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/);
      const banner = startBanner(tls.mock);
      expect(banner).toContain(`  fetch it:          ${tls.mock.url}/_mock/ca.pem   (other containers and machines)\n\n${caPem.trimEnd()}\n`);
    } finally {
      await tls.close();
    }
  });

  it('answers 404 on plain HTTP, in the control API’s shape', async () => {
    const plain = await serveMock();
    try {
      const r = await send(plain.port, 'GET', '/_mock/ca.pem');
      expect(r.status).toBe(404);
      expect(controlError(r)).toEqual({ code: 'NotFound', message: 'This mock serves plain HTTP (--http): it has no CA certificate to trust.' });
    } finally {
      await plain.close();
    }
  });
});
