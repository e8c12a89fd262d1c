// Serves this single-page app on http://localhost:<PORT> with Node's built-ins only — what a
// static host with an SPA fallback does — so that it runs with one command (target.yaml):
//
//   AUTHORITY=https://localhost:8443/<tenant GUID>/v2.0 CLIENT_ID=<SPA app id> PORT=8585 node serve.mjs
//
//   /, /callback            index.html (/callback: the registered SPA redirect URI's path)
//   /app.js                 the app
//   /config.js              window.SPA_CONFIG from AUTHORITY and CLIENT_ID; without them, the
//                           shipped config.js (the default tenant Contoso on https://localhost:8443)
//   /oidc-client-ts.min.js  oidc-client-ts's browser build from node_modules (npm install oidc-client-ts@3.5.0)
//
// It listens on 127.0.0.1 only (HOST to change it); anything else answers 404.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT || 8585);
const host = process.env.HOST || '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve.mjs: PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}
if (Boolean(process.env.AUTHORITY) !== Boolean(process.env.CLIENT_ID)) {
  console.error('serve.mjs: set both AUTHORITY and CLIENT_ID, or neither (then config.js, the default tenant, is served)');
  process.exit(2);
}

let library;
try {
  const packageJson = createRequire(import.meta.url).resolve('oidc-client-ts/package.json');
  library = await readFile(join(dirname(packageJson), 'dist', 'browser', 'oidc-client-ts.min.js'));
} catch {
  console.error('serve.mjs: oidc-client-ts is not installed where this file can find it: npm install oidc-client-ts@3.5.0');
  process.exit(1);
}

const config = process.env.AUTHORITY
  ? `window.SPA_CONFIG = ${JSON.stringify({ authority: process.env.AUTHORITY, client_id: process.env.CLIENT_ID })};\n`
  : await readFile(join(here, 'config.js'));

const JS = 'text/javascript; charset=utf-8';
const routes = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/callback': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', JS],
};

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  // no-store: a new config.js or app.js is never hidden behind the browser's cache.
  const send = (body, type) => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  if (pathname === '/config.js') return send(config, JS);
  if (pathname === '/oidc-client-ts.min.js') return send(library, JS);
  const route = routes[pathname];
  if (!route) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  readFile(join(here, route[0])).then(
    (body) => send(body, route[1]),
    () => res.writeHead(500).end(),
  );
});
server.on('error', (e) => {
  console.error(`serve.mjs: cannot listen on ${host}:${port}: ${e.message}`);
  process.exit(1);
});
server.listen(port, host, () => console.log(`listening on http://localhost:${server.address().port}`));
// Stop cleanly when the harness (or Ctrl-C) says so.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
