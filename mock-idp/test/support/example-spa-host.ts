import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';

/**
 * Serves a shipped single-page app example (a directory under examples/targets/) as it is, on its
 * own origin `http://localhost:<port>` — a secure context, another origin than the mock — for the
 * third-party relying-party tests. Only what the example leaves to whoever hosts it comes from
 * the test: `extraFiles` (a library's browser build, the app's configuration script), which take
 * precedence over the directory's files of the same name.
 *
 * `indexPaths` answer the example's index.html: `/` and the registered redirect URI's path, as a
 * static host with an SPA fallback does. Anything else that is not a file answers 404.
 */

export interface ExampleSpaHost {
  /** `http://localhost:<port>` */
  origin: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

export async function startExampleSpaHost(
  dir: string,
  options: { indexPaths: string[]; extraFiles: Record<string, string | Buffer> },
): Promise<ExampleSpaHost> {
  let port = 0;
  const server: Server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', `http://localhost:${port}`);
    const file = options.indexPaths.includes(pathname) ? '/index.html' : pathname;
    const send = (body: string | Buffer) => {
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    };
    const extra = options.extraFiles[file];
    if (extra !== undefined) return send(extra);
    // Only plain names of the example's top directory: no traversal out of it.
    if (!/^\/[\w.-]+$/.test(file) || file.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(dir, file)).then(send, () => res.writeHead(404).end());
  });
  // Loopback only; Chromium resolves "localhost" to 127.0.0.1 as well as ::1.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    origin: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
