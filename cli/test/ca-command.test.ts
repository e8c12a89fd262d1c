import { execFile as execFileCb, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CA_HELP } from '../ca-command.js';

/**
 * What a new user tripped over (issue 14 §4): `mock-entra ca --state-dir DIR` printed the default
 * directory's CA, `ca --help` printed a certificate, the serve banner told a mock started with
 * `--state-dir` to print its CA with a bare `npx mock-entra ca`, and a refused start listed some
 * of a fixture's errors only once others were fixed. The CLI runs from source, as `npx mock-entra`
 * runs the build.
 */
const execFile = promisify(execFileCb);
const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = import.meta.resolve('tsx');
const work = mkdtempSync(join(tmpdir(), 'mock-entra-ca-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFile(process.execPath, ['--import', TSX, join(ROOT, 'cli', 'main.ts'), ...args], {
      cwd: work,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('mock-entra ca', () => {
  it('--state-dir DIR prints DIR’s CA, the one a mock started with that directory is served under (not the default’s)', async () => {
    const mine = join(work, 'mine');
    const other = join(work, 'other');
    const byFlag = await cli(['ca', '--state-dir', mine], { MOCK_ENTRA_STATE_DIR: other });
    expect(byFlag.code, byFlag.stderr).toBe(0);
    expect(byFlag.stdout).toBe(readFileSync(join(mine, 'ca-cert.pem'), 'utf8'));
    const byEnv = await cli(['ca'], { MOCK_ENTRA_STATE_DIR: other });
    expect(byEnv.stdout).toBe(readFileSync(join(other, 'ca-cert.pem'), 'utf8'));
    expect(byEnv.stdout).not.toBe(byFlag.stdout);
    expect(byEnv.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  }, 60_000);

  it('--help prints the help, not a certificate; a stray argument is a usage error', async () => {
    expect(await cli(['ca', '--help'])).toEqual({ code: 0, stdout: CA_HELP, stderr: '' });
    expect((await cli(['ca', '-h'])).stdout).toBe(CA_HELP);
    const stray = await cli(['ca', '--port', '1']);
    expect(stray.code).toBe(2);
    expect(stray.stdout).toBe('');
    expect(stray.stderr).toBe(`mock-entra ca: Unknown option '--port'\n\n${CA_HELP}`);
    const file = join(work, 'a-file');
    writeFileSync(file, 'not a directory');
    expect(await cli(['ca', '--state-dir', file])).toEqual({ code: 1, stdout: '', stderr: `mock-entra ca: cannot use the state directory ${file}: ENOTDIR\n` });
  }, 60_000);
});

describe('mock-entra serve: the banner and a refused start', () => {
  it('tells `mock-entra ca` the state directory it was started with, and that command prints the CA the mock serves under', async () => {
    const dir = join(work, 'state dir');
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'cli', 'main.ts'), 'serve', '--port', '0', '--state-dir', dir], {
      cwd: work,
      env: { ...process.env, MOCK_ENTRA_STATE_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const end = Date.now() + 30_000;
      while (!out.includes('Test-control API') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain(`  print it:          npx mock-entra ca --state-dir '${dir}'\n`);
      const printed = await cli(['ca', '--state-dir', dir]);
      expect(printed.stdout).toBe(readFileSync(join(dir, 'ca-cert.pem'), 'utf8'));
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  it('without a chosen state directory, the banner says a bare `npx mock-entra ca`', async () => {
    const { startBanner } = await import('../../mock-idp/src/index.js');
    const banner = startBanner({ url: 'https://localhost:8443', caPath: '/home/me/.local/state/mock-entra/ca-cert.pem', tenants: [] });
    expect(banner).toContain('  print it:          npx mock-entra ca\n');
    expect(startBanner({ url: 'https://localhost:8443', caPath: '/srv/state/ca-cert.pem', tenants: [] }, { stateDir: '/srv/state' })).toContain(
      '  print it:          npx mock-entra ca --state-dir /srv/state\n',
    );
  });

  it('a refused start lists every error of the fixture at once: schema errors and semantic ones', async () => {
    const file = join(work, 'five.yaml');
    writeFileSync(
      file,
      `tenants:
  - id: 2f1c9a6e-5b4d-4c3a-9e8f-7a6b5c4d3e2f
    displayName: Acme
    verifiedDomains: [acme.onmicrosoft.com]
    applications:
      - appId: 6a1e8f20-3c4b-4d5e-8f9a-0b1c2d3e4f5a
        displayName: Acme Portal
        replyUrls: [https://portal.acme.test/signin-oidc]
        web: { redirectUris: [portal.acme.test/signin-oidc] }
    users:
      - { id: 4f5a6b7c-8d9e-4f0a-8b1c-2d3e4f5a6b7c, userPrincipalName: ada@acme.onmicrosoft.com, displayName: Ada, jobTitle: 42 }
      - { id: not-a-guid, userPrincipalName: bob@acme.onmicrosoft.com, displayName: Bob }
    groups:
      - { id: 5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d, displayName: Engineers, members: [4f5a6b7c-8d9e-4f0a-8b1c-2d3e4f5a6b7c, 9f5a6b7c-8d9e-4f0a-8b1c-2d3e4f5a6b7c] }
`,
    );
    const errors = [
      `${file}: tenants[0].applications[0]: unknown property 'replyUrls' (a legacy manifest key: use web.redirectUris, or convert the manifest with \`mock-entra fixtures import\`)`,
      `${file}: tenants[0].users[0].jobTitle: must be a string or null`,
      `${file}: tenants[0].users[1].id: must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`,
      `${file}: tenants[0].applications[0].web.redirectUris[0]: must be an absolute URI`,
      `${file}: tenants[0].groups[0].members[1]: must be the id of a user or group in this tenant`,
    ];
    const validate = await cli(['fixtures', 'validate', file]);
    expect(validate).toEqual({ code: 1, stdout: `${errors.join('\n')}\n`, stderr: '' });
    const serve = await cli(['serve', '--port', '0', '--fixture', file]);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toBe(`mock-entra: not starting — invalid fixture (5 errors):\n${errors.map((e) => `  ${e}`).join('\n')}\n`);
  }, 60_000);
});
