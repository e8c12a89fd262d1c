import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseConnectTarget, type ConnectTarget } from './connect-target.js';
import { decide, type ProxyPolicy } from './proxy-policy.js';

/**
 * The HTTPS forward proxy (`HTTPS_PROXY=http://127.0.0.1:P`) that sends a client's connections
 * for Microsoft's host names into the mock, for processes whose only routing knob is a proxy
 * (curl, Python, Go, .NET, Java, Chromium).
 *
 * It does not terminate TLS. `CONNECT login.microsoftonline.com:443` is answered `200`, and the
 * client's socket itself is handed to the mock's HTTPS server as a new connection
 * (`server.emit('connection', socket)`), so the mock terminates TLS with its certificate for that
 * SNI name and routes by `Host` as it does for any caller. No MITM library is needed for that: a
 * man-in-the-middle proxy (mockttp, http-mitm-proxy) would mint its own certificates, repeat the
 * mock's host routing, and stand a second TLS stack in front of the one the mock already has. And
 * handing over the socket rather than dialling the mock's port keeps the caller's own address on
 * the connection: the mock's test-control API, which trusts loopback callers, still sees a remote
 * client of a proxy on 0.0.0.0 as remote (a TCP hop would make every proxy client 127.0.0.1).
 *
 * Nothing of the CONNECT request itself goes anywhere: not its `Proxy-Authorization`, not any
 * other header. Only the bytes the client sends after the `200` travel, to the mock or, for a host
 * allowed with --proxy-pass-through, to that host (never to the mock's own listener over
 * loopback, whatever the pattern: see isTheMock). Everything else is refused (proxy-policy.ts
 * says why): a CONNECT to another host or port with 403, plain-HTTP proxy requests
 * (`GET http://…`) with 403 — Entra and Graph are HTTPS-only, and relaying plain HTTP would make
 * the proxy read and forward requests, credentials included — and anything that is not a proxy
 * request with 400.
 *
 * Hostile input is bounded: request heads above 8 KiB are answered 431; a head not complete
 * within 10 s (slowloris) is answered 408 and the socket closed; a pass-through tunnel idle for
 * 5 minutes is closed; at most 1,024 connections at once. Malformed request lines are Node's
 * HTTP parser's to reject (400), never a crash.
 */

export interface ForwardProxyConfig {
  /** Listen address: loopback unless the user asks (a proxy into a token-minting mock). */
  host: string;
  /** Listen port; 0 picks a free one. */
  port: number;
  /** The mock's HTTPS server: tunnels to impersonated hosts become its connections. */
  mockServer: NetServer;
  policy: ProxyPolicy;
  /** The CA file clients must trust, named when one refuses the mock's certificate. */
  caPath: string;
  /** One line per refusal or failed handshake (stderr in `mock-entra serve`). */
  log: (line: string) => void;
  /** Tighter limits than {@link PROXY_LIMITS} (tests). */
  limits?: Partial<ProxyLimits>;
}

export interface RunningForwardProxy {
  /** `http://127.0.0.1:3128`: the value of HTTPS_PROXY (on this machine, when the proxy listens on every interface). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Limits (see the module comment). */
export const PROXY_LIMITS: ProxyLimits = {
  maxHeaderBytes: 8 * 1024,
  headersTimeoutMs: 10_000,
  tunnelIdleMs: 5 * 60_000,
  upstreamConnectMs: 10_000,
  maxConnections: 1024,
};

export interface ProxyLimits {
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  tunnelIdleMs: number;
  upstreamConnectMs: number;
  maxConnections: number;
}

/** Starts the proxy; resolves once it listens. */
export async function startForwardProxy(config: ForwardProxyConfig): Promise<RunningForwardProxy> {
  const limits: ProxyLimits = { ...PROXY_LIMITS, ...config.limits };
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    // A proxy request has no body worth waiting for: the whole request is its head.
    requestTimeout: limits.headersTimeoutMs,
    // How often Node looks for connections past headersTimeout (default 30 s: a slowloris
    // connection would live three times longer than the limit says).
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    keepAliveTimeout: 5_000,
  });
  server.maxConnections = limits.maxConnections;

  /** Open tunnels (into the mock, or through): destroyed by close(). */
  const tunnels = new Set<Duplex>();
  /** Tunnels into the mock, by the client's address: a failed handshake there is logged with the host asked for. */
  const handshakes = new Map<string, string>();

  const onTlsClientError = (error: Error, tlsSocket: Socket): void => {
    // A client that refuses the certificate closes at once: by the time this runs the TLS socket
    // may be destroyed and know no peer any more. The raw socket the proxy handed over (Node keeps
    // it as the TLS socket's `_parent`) still has the address intoMock read from it.
    const key = addressKey(tlsSocket) ?? addressKey((tlsSocket as Socket & { _parent?: Socket })._parent);
    const host = key === undefined ? undefined : handshakes.get(key);
    if (host === undefined) return;
    config.log(
      `mock-entra proxy: TLS handshake for ${host} from ${key} failed (${tlsReason(error)}); ` + `the client must trust the mock's CA: ${config.caPath}`,
    );
  };
  config.mockServer.on('tlsClientError', onTlsClientError);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(req.url ?? '');
    const reason = absolute
      ? 'plain-HTTP proxy requests are refused: Entra and Graph are HTTPS-only; use https:// (CONNECT host:443)'
      : 'this is the mock-entra HTTPS proxy: use it as HTTPS_PROXY (CONNECT host:443), not as a web server';
    if (absolute) config.log(`mock-entra proxy: refused ${req.method ?? ''} ${truncate(req.url ?? '')} from ${addressKey(req.socket) ?? '?'}: plain HTTP`);
    res.writeHead(absolute ? 403 : 400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(`${reason}\n`);
  });

  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Past the CONNECT head Node's HTTP server no longer listens on the socket: a reset by the
    // client would otherwise be an unhandled 'error' and end the process.
    socket.on('error', () => socket.destroy());
    const client = addressKey(socket as Socket) ?? '?';
    const target = parseConnectTarget(req.url);
    if ('invalid' in target) {
      reply(socket, 400, target.invalid);
      return;
    }
    const decision = decide(target, config.policy);
    if (decision.kind === 'refuse') {
      config.log(`mock-entra proxy: refused CONNECT ${target.host}:${target.port} from ${client}`);
      reply(socket, 403, decision.reason);
      return;
    }
    track(socket);
    if (decision.kind === 'mock') intoMock(socket as Socket, target, head);
    else passThrough(socket, target, head);
  });

  // Node's own answers (400, 408 for slowloris, 431 for huge heads), with a reason, and no crash
  // on a socket the client already dropped.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const code = error.code ?? '';
    if (code === 'HPE_HEADER_OVERFLOW') reply(socket, 431, `request head larger than ${limits.maxHeaderBytes} bytes`);
    else if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') reply(socket, 408, 'request head not received in time');
    else reply(socket, 400, 'malformed proxy request');
  });

  function track(socket: Duplex): void {
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
  }

  function intoMock(socket: Socket, target: ConnectTarget, head: Buffer): void {
    const key = addressKey(socket);
    if (key !== undefined) {
      handshakes.set(key, target.host);
      // Forgotten a moment after the client's socket closes, not at once: a client that refuses
      // the certificate sends its alert and closes, and the raw socket's 'close' can come before
      // the TLS server's 'tlsClientError' that reads this entry.
      socket.once('close', () => setTimeout(() => handshakes.delete(key), 1000).unref());
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // Bytes sent before the 200 (an optimistic ClientHello) go back on the socket for the TLS server.
    if (head.length > 0) socket.unshift(head);
    config.mockServer.emit('connection', socket);
  }

  /**
   * Whether a pass-through connection landed on the mock's own listener over loopback (by any
   * name: checked on the address it resolved to). Even with `*` allowed, that is refused: the
   * mock's test-control API trusts loopback callers, and through the proxy a client from the
   * network would become one.
   */
  function isTheMock(upstream: Socket): boolean {
    const own = config.mockServer.address();
    return typeof own === 'object' && own !== null && upstream.remotePort === own.port && isLoopbackAddress(upstream.remoteAddress);
  }

  function passThrough(socket: Duplex, target: ConnectTarget, head: Buffer): void {
    let connected = false;
    const upstream = connect({ host: target.host, port: target.port, timeout: limits.upstreamConnectMs });
    track(upstream);
    upstream.once('connect', () => {
      if (isTheMock(upstream)) {
        upstream.destroy();
        reply(socket, 403, `${target.host}:${target.port} is the mock itself: reach it directly, not through its proxy`);
        return;
      }
      connected = true;
      upstream.setTimeout(limits.tunnelIdleMs);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    upstream.on('timeout', () => {
      if (connected) upstream.destroy();
      else {
        reply(socket, 504, `${target.host}:${target.port} did not answer within ${limits.upstreamConnectMs / 1000} s`);
        upstream.destroy();
      }
    });
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      if (connected) socket.destroy();
      else reply(socket, 502, `cannot reach ${target.host}:${target.port} (${e.code ?? e.message})`);
    });
    upstream.on('close', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  // Listening on every interface, the URL is the one a client on this machine uses (0.0.0.0 is no address to connect to).
  const reachable = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  const urlHost = reachable.includes(':') ? `[${reachable}]` : reachable;
  return {
    url: `http://${urlHost}:${port}`,
    host: config.host,
    port,
    close: async () => {
      config.mockServer.off('tlsClientError', onTlsClientError);
      for (const t of tunnels) t.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A short plain-text answer, then the connection closes. */
function reply(socket: Duplex, status: 400 | 403 | 408 | 431 | 502 | 504, reason: string): void {
  const body = `${reason}\n`;
  const text = {
    400: 'Bad Request',
    403: 'Forbidden',
    408: 'Request Timeout',
    431: 'Request Header Fields Too Large',
    502: 'Bad Gateway',
    504: 'Gateway Timeout',
  }[status];
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  // A client that never reads its answer must not hold the socket open.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** `127.0.0.1:52044`, `[::1]:52044`: a client in a log line, and the key a tunnel is found by. */
function addressKey(socket: Socket | undefined): string | undefined {
  if (socket === undefined) return undefined;
  const { remoteAddress, remotePort } = socket;
  if (remoteAddress === undefined || remotePort === undefined) return undefined;
  return remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** OpenSSL's reason, e.g. `tlsv1 alert unknown ca` (the client refused the certificate chain). */
function tlsReason(error: Error): string {
  const e = error as Error & { reason?: string; code?: string };
  return e.reason ?? e.code ?? e.message;
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
