import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { startForwardProxy, type RunningForwardProxy } from '../../src/proxy/forward-proxy.js';

/**
 * The forward proxy's own behaviour, apart from impersonation: what it tunnels into the mock,
 * what it refuses and with which words, what it lets through when told to, and that hostile
 * input (malformed request lines, huge heads, a slowloris head, resets) is answered and bounded,
 * never a crash. The mock here is reached as `localhost` (standing in for an impersonated name:
 * the tunnel is the same), and a local TCP server stands in for a pass-through host.
 */

let mock: RunningMockEntra;
let proxy: RunningForwardProxy;
const logged: string[] = [];
let echo: Server;
let echoPort: number;
/** What the pass-through server received, per connection. */
const received: Buffer[] = [];

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  echo = createServer((s) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      if (Buffer.concat(chunks).includes('\n')) {
        received.push(Buffer.concat(chunks));
        s.end('pong\n');
      }
    });
    s.on('error', () => s.destroy());
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as { port: number }).port;
  proxy = await startForwardProxy({
    host: '127.0.0.1',
    port: 0,
    mockServer: mock.app.server,
    policy: { impersonated: new Set(['localhost']), passThrough: ['127.0.0.1', '*.allowed.test'] },
    caPath: mock.caPath!,
    log: (line) => logged.push(line),
    limits: { headersTimeoutMs: 500, maxHeaderBytes: 2048 },
  });
});
afterAll(async () => {
  await proxy?.close();
  echo?.close();
  await mock?.close();
});

/** Writes `text` raw to the proxy and returns everything it answers until it closes. */
async function raw(text: string | Buffer): Promise<string> {
  const socket = connect(proxy.port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(text);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

/** The status line and body of an answer, without the Date header Node adds to its own. */
function statusAndBody(answer: string): { status: string; body: string } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: head.split('\r\n')[0]!, body };
}

/** CONNECTs through the proxy, then speaks TLS to whatever answers, verifying against the mock's CA. */
async function tlsThrough(host: string, port: number, servername: string): Promise<string> {
  const socket = connect(proxy.port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  const [head] = (await once(socket, 'data')) as [Buffer];
  expect(head.toString()).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
  const tls = tlsConnect({ socket, servername, ca: mock.caPem });
  await once(tls, 'secureConnect');
  tls.write(`GET /common/v2.0/.well-known/openid-configuration HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  tls.on('data', (c: Buffer) => chunks.push(c));
  await once(tls, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

describe('the forward proxy', () => {
  it('tunnels a CONNECT for an impersonated host on 443 into the mock, whose TLS answers for that name', async () => {
    const answer = await tlsThrough('localhost', 443, 'localhost');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    const doc = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { issuer: string };
    expect(doc.issuer).toBe(`${mock.url}/{tenantid}/v2.0`);
  });

  it('passes on a ClientHello the client sent with its CONNECT, before the 200 (RFC 9110 §9.3.6 allows it)', async () => {
    const socket = connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    // A stream for the TLS client whose first write (the ClientHello) goes out in one piece with
    // the CONNECT head, and which reads what follows the proxy's answer.
    let answered = '';
    let buffered = Buffer.alloc(0);
    let first = true;
    const carrier = new Duplex({
      write(chunk: Buffer, _encoding, callback) {
        socket.write(first ? Buffer.concat([Buffer.from('CONNECT localhost:443 HTTP/1.1\r\n\r\n'), chunk]) : chunk);
        first = false;
        callback();
      },
      read() {},
    });
    socket.on('data', (d: Buffer) => {
      if (answered) return void carrier.push(d);
      buffered = Buffer.concat([buffered, d]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      answered = buffered.subarray(0, end + 4).toString();
      if (buffered.length > end + 4) carrier.push(buffered.subarray(end + 4));
    });
    socket.on('end', () => carrier.push(null));
    const tls = tlsConnect({ socket: carrier as unknown as Socket, servername: 'localhost', ca: mock.caPem });
    await once(tls, 'secureConnect');
    expect(answered).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    tls.write('GET /common/v2.0/.well-known/openid-configuration HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const [data] = (await once(tls, 'data')) as [Buffer];
    expect(data.toString().split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    tls.destroy();
  });

  it('refuses a CONNECT to a host it does not impersonate: 403, the reason naming --proxy-pass-through', async () => {
    const answer = await raw('CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n');
    expect(statusAndBody(answer)).toEqual({
      status: 'HTTP/1.1 403 Forbidden',
      body: 'evil.example:443 is not a Microsoft host this mock impersonates; other hosts are refused unless allowed with --proxy-pass-through (MOCK_ENTRA_PROXY_PASS_THROUGH)\n',
    });
    expect(logged).toContain('mock-entra proxy: refused CONNECT evil.example:443 from ' + logged.find((l) => l.includes('evil.example'))!.split(' from ')[1]);
  });

  it('refuses an impersonated host on another port than 443', async () => {
    const answer = await raw('CONNECT localhost:8443 HTTP/1.1\r\n\r\n');
    expect(statusAndBody(answer)).toEqual({ status: 'HTTP/1.1 403 Forbidden', body: 'localhost is served by the mock on port 443 only, not 8443\n' });
  });

  it('refuses the cloud metadata address and loopback services unless allowed', async () => {
    expect(statusAndBody(await raw('CONNECT 169.254.169.254:80 HTTP/1.1\r\n\r\n')).status).toBe('HTTP/1.1 403 Forbidden');
    expect(statusAndBody(await raw('CONNECT [::1]:22 HTTP/1.1\r\n\r\n')).status).toBe('HTTP/1.1 403 Forbidden');
    expect(statusAndBody(await raw('CONNECT allowed.test:443 HTTP/1.1\r\n\r\n')).status).toBe('HTTP/1.1 403 Forbidden');
  });

  it('refuses plain-HTTP proxy requests (absolute-form) with 403, and answers a non-proxy request 400', async () => {
    const plain = statusAndBody(
      await raw('GET http://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration HTTP/1.1\r\nHost: login.microsoftonline.com\r\n\r\n'),
    );
    expect(plain.status).toBe('HTTP/1.1 403 Forbidden');
    expect(plain.body).toContain('plain-HTTP proxy requests are refused: Entra and Graph are HTTPS-only; use https:// (CONNECT host:443)\n');
    const direct = statusAndBody(await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    expect(direct.status).toBe('HTTP/1.1 400 Bad Request');
    expect(direct.body).toContain('this is the mock-entra HTTPS proxy: use it as HTTPS_PROXY (CONNECT host:443), not as a web server\n');
  });

  it('tunnels a pass-through host as it is, and nothing of the CONNECT request (Proxy-Authorization included) reaches it', async () => {
    const socket = connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nHost: 127.0.0.1:${echoPort}\r\nProxy-Authorization: Basic c2VjcmV0OnNlY3JldA==\r\n\r\n`);
    const [head] = (await once(socket, 'data')) as [Buffer];
    expect(head.toString()).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    socket.write('ping\n');
    const [answer] = (await once(socket, 'data')) as [Buffer];
    expect(answer.toString()).toBe('pong\n');
    socket.destroy();
    expect(received.at(-1)!.toString()).toBe('ping\n');
  });

  it("never tunnels a pass-through CONNECT into the mock's own listener on loopback (its control API trusts loopback)", async () => {
    const port = new URL(mock.url).port;
    expect(statusAndBody(await raw(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`))).toEqual({
      status: 'HTTP/1.1 403 Forbidden',
      body: `127.0.0.1:${port} is the mock itself: reach it directly, not through its proxy\n`,
    });
  });

  it('answers 502 when a pass-through host cannot be reached', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as { port: number }).port;
    closed.close();
    await once(closed, 'close');
    expect(statusAndBody(await raw(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`))).toEqual({
      status: 'HTTP/1.1 502 Bad Gateway',
      body: `cannot reach 127.0.0.1:${port} (ECONNREFUSED)\n`,
    });
  });

  it.each([
    ['CONNECT login.microsoftonline.com HTTP/1.1\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'the CONNECT target must be host:port\n'],
    ['CONNECT login.microsoftonline.com:0 HTTP/1.1\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'the CONNECT target port must be 1 to 65535\n'],
    ['CONNECT login.microsoftonline.com:99999 HTTP/1.1\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'the CONNECT target port must be 1 to 65535\n'],
    ['CONNECT user@login.microsoftonline.com:443 HTTP/1.1\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'the CONNECT target host is not a valid host name\n'],
    ['CONNECT /login.microsoftonline.com:443 HTTP/1.1\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'the CONNECT target host is not a valid host name\n'],
    ['CONNECT [zz::1]:443 HTTP/1.1\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'the CONNECT target must be host:port\n'],
    ['CONNECT\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'malformed proxy request\n'],
    ['\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'malformed proxy request\n'],
    ['CONNECT a:443 HTTP/1.1\r\nX: \x00\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'malformed proxy request\n'],
  ])('answers a malformed request %j with %s', async (request, status, body) => {
    expect(statusAndBody(await raw(Buffer.from(request, 'latin1')))).toEqual({ status, body });
  });

  it('answers 431 to a request head over the limit', async () => {
    const answer = await raw(`CONNECT localhost:443 HTTP/1.1\r\nX-Padding: ${'a'.repeat(4096)}\r\n\r\n`);
    expect(statusAndBody(answer)).toEqual({ status: 'HTTP/1.1 431 Request Header Fields Too Large', body: 'request head larger than 2048 bytes\n' });
  });

  it('answers 408 and closes a connection whose head never completes (slowloris)', async () => {
    const socket: Socket = connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('CONNECT localhost:443 HTTP/1.1\r\nX-Slow: a');
    const drip = setInterval(() => socket.writable && socket.write('a'), 100);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    await once(socket, 'close');
    clearInterval(drip);
    expect(statusAndBody(Buffer.concat(chunks).toString())).toEqual({ status: 'HTTP/1.1 408 Request Timeout', body: 'request head not received in time\n' });
  });

  it('survives clients that reset mid-request and mid-tunnel, and keeps answering', async () => {
    const half = connect(proxy.port, '127.0.0.1');
    await once(half, 'connect');
    half.write('CONNECT localhost:443 HTTP/1.1\r\nHo');
    half.resetAndDestroy();
    const tunnelled = connect(proxy.port, '127.0.0.1');
    await once(tunnelled, 'connect');
    tunnelled.write('CONNECT localhost:443 HTTP/1.1\r\n\r\n');
    await once(tunnelled, 'data');
    tunnelled.write(Buffer.from([0x16, 0x03, 0x01]));
    tunnelled.resetAndDestroy();
    const answer = await tlsThrough('localhost', 443, 'localhost');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });
});
