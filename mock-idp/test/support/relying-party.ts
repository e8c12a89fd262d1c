import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordedRequests } from './recorded-requests.js';

/**
 * A tiny relying party: an HTTP server on loopback that receives the browser's redirect back
 * from the mock and records it, so a test can hand the exact callback URL to the client library
 * (openid-client's `authorizationCodeGrant(config, currentUrl)`, MSAL's `acquireTokenByCode`).
 *
 * Entra ignores the port of an http://localhost redirect URI (reply-url "localhost
 * exceptions"), so the registered `http://localhost:7000/sso/callback/vc-5f2a9c` also matches
 * `http://localhost:<any port>/sso/callback/vc-5f2a9c` — the server listens on a random port.
 */
export interface RelyingParty {
  /** `http://localhost:<port>` */
  origin: string;
  /** `http://localhost:<port><path>` */
  redirectUri(path: string): string;
  /** Every URL the server was asked for, in order. */
  readonly hits: URL[];
  /** Resolves with the next request whose path is `path` (already received ones count, oldest first). */
  callback(path: string, timeoutMs?: number): Promise<URL>;
  close(): Promise<void>;
}

export async function startRelyingParty(): Promise<RelyingParty> {
  const requests = recordedRequests();
  let port = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://localhost:${port}`);
    requests.record(url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!doctype html><title>Relying party</title><h1 id="rp">Signed in (test relying party)</h1>');
  });
  // Loopback only; Chromium resolves "localhost" to 127.0.0.1 as well as ::1.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://localhost:${port}`;
  return {
    origin,
    redirectUri: (path) => `${origin}${path}`,
    hits: requests.hits,
    callback: (path, timeoutMs = 15_000) => requests.next(path, timeoutMs, (p) => `no redirect to ${origin}${p}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
