import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/index.js';
import { cleanEnv, run } from './proxy-support.js';

/**
 * `mock-entra serve --proxy-port N` as a user runs it, and curl through it with nothing but
 * `--proxy` and `--cacert`: the start banner announcing the proxy, Entra's discovery document
 * under https://login.microsoftonline.com with its exact issuer, the 403 for another host, a
 * host let through with --proxy-pass-through, and the log line naming the CA when curl does not
 * trust it. Then the options the proxy cannot run with: a clear message and exit code 2.
 */

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err, exit: new Promise((r) => child.on('exit', r)) };
}

async function waitFor(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let stateDir: string;
let serve: Cli;
let proxyUrl: string;
let caPath: string;
let local: Server;
let localPort: number;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-proxy-state-'));
  local = createServer((_req, res) => res.end('local server\n'));
  local.listen(0, '127.0.0.1');
  await once(local, 'listening');
  localPort = (local.address() as { port: number }).port;
  serve = cli(['serve', '--port', '0', '--proxy-port', '0', '--proxy-pass-through', '127.0.0.1', '--state-dir', stateDir], cleanEnv());
  await waitFor(() => serve.stdout().includes('Test-control API'), 'the start banner');
  proxyUrl = /^HTTPS proxy: (http:\/\/127\.0\.0\.1:\d+)/m.exec(serve.stdout())![1]!;
  caPath = /clients trust this CA: +(.+)$/m.exec(serve.stdout())![1]!.trim();
}, 60_000);
afterAll(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exit;
  local?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('mock-entra serve --proxy-port', () => {
  it('announces the proxy: its address, the names it serves, that other hosts are refused, the CA to trust', () => {
    const banner = serve.stdout();
    expect(banner).toContain(`HTTPS proxy: ${proxyUrl}   (export HTTPS_PROXY=${proxyUrl})\n`);
    const served = /^ {2}into the mock, port 443: {2}(.+)$/m.exec(banner)![1]!.split(', ');
    expect(served).toEqual(
      expect.arrayContaining(['login.microsoftonline.com', 'login.windows.net', 'sts.windows.net', 'graph.microsoft.com', 'graph.windows.net']),
    );
    expect(banner).toContain('  tunnelled as they are:    127.0.0.1; every other host refused (403)\n');
    expect(caPath).toBe(join(stateDir, 'impersonation-ca-cert.pem'));
  });

  it('curl gets the tenant discovery document from https://login.microsoftonline.com with the exact issuer', async () => {
    const out = await run(
      'curl',
      ['-sS', '--fail', '--proxy', proxyUrl, '--cacert', caPath, `https://login.microsoftonline.com/${CONTOSO.tenantId}/v2.0/.well-known/openid-configuration`],
      cleanEnv(),
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout) as { issuer: string; token_endpoint: string; jwks_uri: string };
    expect(doc.issuer).toBe(`https://login.microsoftonline.com/${CONTOSO.tenantId}/v2.0`);
    expect(doc.token_endpoint).toBe(`https://login.microsoftonline.com/${CONTOSO.tenantId}/oauth2/v2.0/token`);
    expect(doc.jwks_uri).toBe(`https://login.microsoftonline.com/${CONTOSO.tenantId}/discovery/v2.0/keys`);
  });

  it('curl through it to another host: the proxy answers 403 and curl exits 56', async () => {
    const out = await run('curl', ['-sS', '--proxy', proxyUrl, 'https://example.com/'], cleanEnv());
    expect(out.code).toBe(56);
    expect(out.stderr).toBe('curl: (56) CONNECT tunnel failed, response 403\n');
    expect(serve.stderr()).toMatch(/^mock-entra proxy: refused CONNECT example\.com:443 from 127\.0\.0\.1:\d+$/m);
  });

  it('tunnels a host allowed with --proxy-pass-through as it is', async () => {
    // --proxytunnel: curl CONNECTs for a plain-HTTP URL too (plain-HTTP proxying is refused).
    const out = await run('curl', ['-sS', '--proxytunnel', '--proxy', proxyUrl, `http://127.0.0.1:${localPort}/`], cleanEnv());
    expect(out).toEqual({ code: 0, stdout: 'local server\n', stderr: '' });
  });

  it('refuses plain-HTTP proxying: curl gets the 403 and its reason', async () => {
    const out = await run('curl', ['-sS', '--proxy', proxyUrl, 'http://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration'], cleanEnv());
    expect(out).toEqual({
      code: 0,
      stdout: 'plain-HTTP proxy requests are refused: Entra and Graph are HTTPS-only; use https:// (CONNECT host:443)\n',
      stderr: '',
    });
  });

  it("names the CA to trust in its log when curl does not trust the mock's certificate", async () => {
    const out = await run(
      'curl',
      ['-sS', '--proxy', proxyUrl, `https://login.microsoftonline.com/${CONTOSO.tenantId}/v2.0/.well-known/openid-configuration`],
      cleanEnv({ CURL_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt' }),
    );
    expect(out.code).toBe(60);
    await waitFor(() => serve.stderr().includes('TLS handshake for login.microsoftonline.com'), 'the TLS log line');
    expect(serve.stderr()).toMatch(
      new RegExp(
        `^mock-entra proxy: TLS handshake for login\\.microsoftonline\\.com from 127\\.0\\.0\\.1:\\d+ failed \\(tlsv1 alert unknown ca\\); the client must trust the mock's CA: ${caPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
        'm',
      ),
    );
  });
});

describe('mock-entra serve: options the proxy cannot run with', () => {
  it.each([
    [
      ['--http', '--proxy-port', '0'],
      "mock-entra: --proxy-port needs HTTPS: the proxy hands each connection to the mock's TLS listener (leave out --http / MOCK_ENTRA_HTTP)\n",
    ],
    [['--proxy-port', '0', '--proxy-pass-through', 'a b'], "mock-entra: --proxy-pass-through takes a host name, *.domain or *, not 'a b'\n"],
    [['--proxy-port', '70000'], "mock-entra: --proxy-port must be a number from 0 to 65535, not '70000'\n"],
  ])('%j: a message and exit code 2', async (args, message) => {
    const started = cli(['serve', '--port', '0', '--state-dir', stateDir, ...args], cleanEnv());
    expect(await started.exit).toBe(2);
    expect(started.stderr()).toBe(message);
    expect(started.stdout()).toBe('');
  });
});
