import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The CLI users run (`npm start`, the `mock-entra` bin) is the esbuild bundle of cli/main.ts
 * (scripts/bundle-cli.mjs), not the sources the other CLI tests run through tsx. Bundled code
 * finds the package's files from another place (dist/cli/), takes the fixture cache's code hash
 * from the bundler, and loads the fixture reader and the commands from chunks: this proves each
 * of them from a fresh bundle laid out as a package (dist/cli/ with fixtures/ and scenarios/ two
 * levels up).
 */
const repo = resolve(import.meta.dirname, '..', '..');
let pkg: string;
let main: string;

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'mock-entra-bundle-'));
  mkdirSync(join(pkg, 'dist'));
  for (const d of ['fixtures', 'scenarios', 'harness', 'node_modules']) symlinkSync(join(repo, d), join(pkg, d));
  execFileSync(process.execPath, [join(repo, 'scripts', 'bundle-cli.mjs'), '--outdir', join(pkg, 'dist', 'cli')], { stdio: 'pipe' });
  main = join(pkg, 'dist', 'cli', 'main.js');
}, 60_000);
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [main, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => done({ code, out }));
  });
}

describe('the bundled CLI (dist/cli/main.js)', () => {
  it('serves the default tenant, twice: the second start takes the validated fixture from the cache', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'mock-entra-bundle-state-'));
    try {
      for (const round of [1, 2]) {
        const child = spawn(process.execPath, [main, 'serve', '--http', '--port', '0', '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise((r) => child.on('exit', r));
        try {
          const end = Date.now() + 20_000;
          while (!out.includes('Test-control API') && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
          const url = /serving (http:\/\/localhost:\d+)/.exec(out)?.[1];
          expect(url, out).toBeDefined();
          const res = await fetch(`${url}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
          expect(res.status).toBe(200);
          expect(((await res.json()) as { issuer: string }).issuer).toBe(`${url}/8bfd947c-c312-4845-9b33-df79185f9499/v2.0`);
          // The first start validated fixtures/contoso.yaml and cached it under the bundle's code hash.
          const cached = execFileSync('ls', [join(stateDir, 'fixture-cache')])
            .toString()
            .trim()
            .split('\n')
            .filter(Boolean);
          expect(cached.length, `round ${round}`).toBe(1);
        } finally {
          child.kill('SIGTERM');
          await exited;
        }
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs the commands it loads on demand: fixtures validate (YAML reader, JSON Schema) and scenarios list', async () => {
    const ok = await run(['fixtures', 'validate', join(repo, 'fixtures', 'contoso.yaml')]);
    expect(ok).toEqual({ code: 0, out: `${join(repo, 'fixtures', 'contoso.yaml')}: ok (1 tenant, 3 apps, 3 users, 3 groups)\n` });
    const list = await run(['scenarios', 'list']);
    expect(list.code, list.out).toBe(0);
    expect(list.out).toContain('sso/rp-login\n');
  }, 60_000);
});
