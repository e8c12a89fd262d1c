import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { recordedRequests } from './recorded-requests.js';

/**
 * A single-page app on its own origin (`http://localhost:<port>`, a secure context, another
 * origin than the mock) for the msal-browser tests: one page at `callbackPath` — the SPA's
 * registered redirect URI, whose port Entra ignores for http://localhost — that loads
 * msal-browser's UMD build (`window.msal`) and its redirect bridge (`window.msalRedirectBridge`).
 *
 * The page does nothing by itself at the top level (the test drives `window.msal` through
 * `page.evaluate`). Inside msal's hidden iframe or popup it runs the redirect bridge, which is how
 * msal-browser 5 gets a silent or popup response back: the redirect page broadcasts it to the
 * main frame (BroadcastChannel), it is not read from the frame's URL any more.
 *
 * Every request but the scripts is recorded (other paths answer a tiny page), so a test can
 * wait for the mock's front-channel logout GET (`frontChannelLogoutUrl`).
 */

export interface SpaHost {
  /** `http://localhost:<port>` */
  origin: string;
  /** `http://localhost:<port><callbackPath>`: the page msal-browser runs on and its redirect URI. */
  redirectUri: string;
  /** `http://localhost:<port>/signout-oidc`: a front-channel logout URL to register. */
  frontChannelLogoutUrl: string;
  /** Resolves with the next recorded GET of `path` (already received ones count, oldest first). */
  hit(path: string, timeoutMs?: number): Promise<URL>;
  close(): Promise<void>;
}

const FRONT_CHANNEL_PATH = '/signout-oidc';

/** msal-browser's UMD builds, next to its CommonJS entry (lib/msal-browser.cjs). */
async function msalScripts(): Promise<Record<string, Buffer>> {
  const lib = dirname(createRequire(import.meta.url).resolve('@azure/msal-browser'));
  const [app, bridge] = await Promise.all([readFile(join(lib, 'msal-browser.min.js')), readFile(join(lib, 'redirect-bridge', 'msal-redirect-bridge.min.js'))]);
  return { '/msal-browser.min.js': app, '/msal-redirect-bridge.min.js': bridge };
}

function spaPage(): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>SPA</title>
<script src="/msal-browser.min.js"></script>
<script src="/msal-redirect-bridge.min.js"></script>
<script>
  // In msal's hidden iframe (ssoSilent, acquireTokenSilent's fallback) or its popup: hand the
  // response to the main frame. At the top level the test drives window.msal itself.
  if (window.parent !== window || window.opener) {
    msalRedirectBridge.broadcastResponseToMainFrame().catch(function (e) { document.title = 'bridge: ' + e; });
  }
</script></head><body><p id="spa">SPA</p></body></html>`;
}

export async function startSpaHost(callbackPath: string): Promise<SpaHost> {
  const scripts = await msalScripts();
  const requests = recordedRequests();
  let port = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://localhost:${port}`);
    const script = scripts[url.pathname];
    if (script) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' });
      res.end(script);
      return;
    }
    requests.record(url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(url.pathname === callbackPath ? spaPage() : '<!DOCTYPE html><title>SPA</title><p>signed out of the SPA</p>');
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
    redirectUri: `${origin}${callbackPath}`,
    frontChannelLogoutUrl: `${origin}${FRONT_CHANNEL_PATH}`,
    hit: (path, timeoutMs = 15_000) => requests.next(path, timeoutMs, (p) => `no request for ${origin}${p}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
