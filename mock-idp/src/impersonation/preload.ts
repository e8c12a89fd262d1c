import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { defaultStateDir } from '../keys/state-dir.js';
import { IMPERSONATION_CA_FILE } from '../keys/impersonation-ca.js';
import { impersonateMicrosoft } from './in-process-route.js';

/**
 * `NODE_OPTIONS="--import mock-entra/impersonate"`: the in-process route for a Node process whose
 * code is not changed. The mock is found at MOCK_ENTRA_URL; the impersonation CA is the file
 * MOCK_ENTRA_CA names, else `impersonation-ca-cert.pem` in the state directory
 * (MOCK_ENTRA_STATE_DIR or the default one). Before the process's own code runs, the mock is
 * asked for its certificate as login.microsoftonline.com: a mock that is not reachable, or not
 * impersonating, stops the process with a message that says which, rather than letting it talk to
 * the real Microsoft.
 */

const fail = (message: string): never => {
  process.stderr.write(`mock-entra/impersonate: ${message}\n`);
  process.exit(1);
};

const url =
  process.env.MOCK_ENTRA_URL?.trim() ||
  fail('set MOCK_ENTRA_URL to the mock\'s URL (e.g. https://localhost:8443, as "mock-entra serve --impersonate" prints it)');
let mock: URL;
try {
  mock = new URL(url);
} catch {
  mock = fail(`MOCK_ENTRA_URL is not a URL: '${url}'`);
}
if (mock.protocol !== 'https:') fail(`MOCK_ENTRA_URL must be the mock's https:// URL (impersonation needs HTTPS), not '${url}'`);

const caPath = process.env.MOCK_ENTRA_CA?.trim() || join(process.env.MOCK_ENTRA_STATE_DIR?.trim() || defaultStateDir(), IMPERSONATION_CA_FILE);
const ca = await readFile(caPath, 'utf8').catch((e: NodeJS.ErrnoException) =>
  fail(
    e.code === 'ENOENT'
      ? `no impersonation CA at ${caPath}: start the mock with --impersonate (it writes the file), or set MOCK_ENTRA_CA to its CA file`
      : `cannot read the impersonation CA ${caPath}: ${e.message}`,
  ),
);
if (!ca.includes('-----BEGIN CERTIFICATE-----')) fail(`${caPath} is not a PEM certificate (MOCK_ENTRA_CA names the impersonation CA's certificate)`);

await new Promise<void>((resolve) => {
  const host = mock.hostname.replace(/^\[|\]$/g, '');
  const socket = connect({ host, port: Number(mock.port || 443), servername: 'login.microsoftonline.com', ca, timeout: 10_000 }, () => {
    socket.end();
    resolve();
  });
  socket.on('timeout', () => fail(`the mock at ${url} did not answer within 10 s`));
  socket.on('error', (e: NodeJS.ErrnoException) =>
    fail(
      e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND'
        ? `the mock is not reachable at ${url} (${e.code}): start it with "mock-entra serve --impersonate"`
        : `the mock at ${url} is not answering as login.microsoftonline.com with a certificate from ${caPath} (${e.message}): is it started with --impersonate, and is that its CA?`,
    ),
  );
});

impersonateMicrosoft({ url: mock.origin, ca });
