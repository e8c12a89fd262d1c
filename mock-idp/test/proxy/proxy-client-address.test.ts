import { once } from 'node:events';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/index.js';

/**
 * Why the proxy hands the client's socket to the mock instead of dialling the mock's port: the
 * mock still sees who is calling. A proxy opened to a network (`proxyHost: '0.0.0.0'`) in front
 * of a mock on loopback must not make its clients loopback callers — the test-control API trusts
 * those. A caller from this machine's network address tunnels to login.microsoftonline.com, then
 * names the mock's own host (`Host: localhost`) to reach /_mock: refused as the remote caller it
 * is; the same request from 127.0.0.1 is answered. Skipped on a machine with no non-loopback
 * IPv4 address.
 */

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

let mock: RunningMockEntra;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0, proxyPort: 0, proxyHost: '0.0.0.0' });
});
afterAll(async () => {
  await mock?.close();
});

/** Through the proxy at `from`, a TLS session to login.microsoftonline.com, then `GET path` with `Host: host`; the status line. */
async function statusThrough(from: string, path: string, host: string): Promise<string> {
  const socket = connect(mock.proxy!.port, from);
  await once(socket, 'connect');
  socket.write('CONNECT login.microsoftonline.com:443 HTTP/1.1\r\nHost: login.microsoftonline.com:443\r\n\r\n');
  const [head] = (await once(socket, 'data')) as [Buffer];
  expect(head.toString()).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
  const tls = tlsConnect({ socket, servername: 'login.microsoftonline.com', ca: mock.impersonation!.caPem });
  await once(tls, 'secureConnect');
  tls.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  tls.on('data', (c: Buffer) => chunks.push(c));
  await once(tls, 'close');
  return Buffer.concat(chunks).toString().split('\r\n')[0]!;
}

describe.skipIf(external === undefined)('a proxy on every interface keeps its clients’ own addresses', () => {
  it('gives a URL a client on this machine can use', () => {
    expect(mock.proxy!.url).toBe(`http://127.0.0.1:${mock.proxy!.port}`);
    expect(mock.proxy!.host).toBe('0.0.0.0');
  });

  it('answers /_mock to a loopback client that names the mock, and refuses the same request from the network', async () => {
    expect(await statusThrough('127.0.0.1', '/_mock/tenants', 'localhost')).toBe('HTTP/1.1 200 OK');
    expect(await statusThrough(external!, '/_mock/tenants', 'localhost')).toBe('HTTP/1.1 403 Forbidden');
  });
});
