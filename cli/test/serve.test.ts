import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, afterEach } from 'vitest';

/** Runs the CLI from source (tsx), as `npx mock-entra …` would run the build. */
function cli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, exit: new Promise((r) => child.on('exit', r)) };
}

async function waitFor(pred: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill('SIGTERM');
  running = undefined;
});

describe('mock-entra serve', () => {
  it('serves the default tenant over TLS with the local CA, and prints how to trust it', async () => {
    const stateDir = process.env.MOCK_ENTRA_STATE_DIR;
    const run = cli(['serve', '--port', '0'], stateDir ? { MOCK_ENTRA_STATE_DIR: stateDir } : {});
    running = run.child;
    await waitFor(() => run.output().includes('Test-control API'));
    const out = run.output();
    const url = /serving (https:\/\/localhost:\d+)/.exec(out)![1]!;
    expect(out).toContain(`discovery   ${url}/8bfd947c-c312-4845-9b33-df79185f9499/v2.0/.well-known/openid-configuration`);
    const caPath = /CA certificate: (.+)/.exec(out)![1]!.trim();
    expect(out).toContain(`export NODE_EXTRA_CA_CERTS=${caPath}`);
    const ca = cli(['ca'], stateDir ? { MOCK_ENTRA_STATE_DIR: stateDir } : {});
    expect(await ca.exit).toBe(0);
    expect(ca.output()).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    const r = await get(`${url}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`, ca.output());
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).issuer).toBe(`${url}/8bfd947c-c312-4845-9b33-df79185f9499/v2.0`);
  });

  it('takes port, plain HTTP and public URL from the environment', async () => {
    const run = cli(['serve'], { MOCK_ENTRA_PORT: '0', MOCK_ENTRA_HTTP: '1', MOCK_ENTRA_PUBLIC_URL: 'http://mock-entra:8080' });
    running = run.child;
    await waitFor(() => run.output().includes('Test-control API'));
    expect(run.output()).toContain('mock-entra is serving http://mock-entra:8080');
    expect(run.output()).not.toContain('CA certificate');
  });

  it('refuses to start on an invalid fixture and lists every error with file and path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mock-entra-cli-'));
    const file = join(dir, 'broken.yaml');
    await writeFile(
      file,
      'tenants:\n  - id: not-a-guid\n    displayName: Broken\n    verifiedDomains: [broken.example.com]\n    users:\n      - { id: also-not-a-guid, userPrincipalName: a@broken.example.com, displayName: A }\n',
    );
    const run = cli(['serve', '--port', '0', '--fixture', file]);
    expect(await run.exit).toBe(1);
    expect(run.output()).toContain('mock-entra: not starting');
    expect(run.output()).toContain(`${file}: tenants[0].id`);
    expect(run.output()).toContain(`${file}: tenants[0].users[0].id`);
  });

  it('rejects a bad port with a usage error', async () => {
    const run = cli(['serve', '--port', 'eighty']);
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain("--port must be a number from 0 to 65535, not 'eighty'");
  });
});
