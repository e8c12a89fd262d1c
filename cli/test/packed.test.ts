import { execFile as execFileCb, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScenarioFiles } from '../../harness/src/index.js';

/**
 * mock-entra as a user gets it: `npm pack`, the tarball installed into an empty project next to
 * the harness's peers (vitest, playwright-core, openid-client), and `npx mock-entra scenarios run`
 * there — on a scenario file the user wrote (TypeScript, importing `mock-entra/harness`) and on
 * the shipped catalog. Nothing of the repository is reachable from that project: the adapter,
 * the global setup and the catalog must come from the package.
 *
 * The package is built into a staging folder (tsc's build and the CLI bundle, as `npm run build`
 * writes them) rather than in place, so that this test never rewrites the dist/ that other tests
 * may be reading.
 */
const execFile = promisify(execFileCb);
const repo = resolve(import.meta.dirname, '..', '..');
const version = (name: string): string => (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let work: string;
let project: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mock-entra-packed-'));
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const f of ['package.json', 'README.md', 'fixtures']) cpSync(join(repo, f), join(stage, f), { recursive: true });
  await execFile(process.execPath, [
    join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(repo, 'tsconfig.build.json'),
    '--outDir',
    join(stage, 'dist'),
  ]);
  await execFile(process.execPath, [join(repo, 'scripts', 'bundle-cli.mjs'), '--outdir', join(stage, 'dist', 'cli')]);
  // --ignore-scripts: `prepare` would build again, into the stage's missing sources.
  await execFile(npm, ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: stage });
  const { version: ours } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
  const tarball = join(work, `mock-entra-${ours}.tgz`);

  project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }));
  // The same versions as the repository's lock, taken from npm's cache when it has them.
  await execFile(
    npm,
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
      `vitest@${version('vitest')}`,
      `playwright-core@${version('playwright-core')}`,
      `openid-client@${version('openid-client')}`,
      // A TypeScript user's tools: tsx runs a .ts file, tsc checks it against the package's types.
      `tsx@${version('tsx')}`,
      `typescript@${version('typescript')}`,
      `@types/node@${version('@types/node')}`,
    ],
    {
      cwd: project,
    },
  );
  mkdirSync(join(project, 'scenarios', 'mine'), { recursive: true });
  writeFileSync(
    join(project, 'scenarios', 'mine', 'app-token.scenario.ts'),
    `import { clientCredentials, defineScenario, expectClaims } from 'mock-entra/harness';

export default defineScenario({
  title: 'The ingestion app gets an app-only token',
  reproduces: 'the packed-package test',
  steps: [clientCredentials()],
  expect: expectClaims({ idtyp: 'app' }),
});
`,
  );
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function mockEntra(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFile(npx, ['mock-entra', ...args], {
      cwd: project,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** GET over HTTPS trusting only `ca`. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((done, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the installed package (npm pack → npm install)', () => {
  it('resolves its entries: mock-entra (the mock), mock-entra/testing (client helpers), mock-entra/fixtures (fixture tools)', async () => {
    const script = `
      const mock = await import('mock-entra');
      const testing = await import('mock-entra/testing');
      const fixtures = await import('mock-entra/fixtures');
      console.log(JSON.stringify({
        mock: [typeof mock.startMockEntra, typeof mock.trustingFetch, typeof mock.loadFixtureFile],
        testing: [typeof testing.trustingFetch, typeof testing.msalNetworkClient, typeof testing.findChromium],
        fixtures: [typeof fixtures.loadFixtureFile, typeof fixtures.importManifest],
      }));`;
    const { stdout } = await execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({
      mock: ['function', 'undefined', 'undefined'],
      testing: ['function', 'function', 'function'],
      fixtures: ['function', 'function'],
    });
  }, 60_000);

  it('runs a scenario file of the user’s own that imports mock-entra/harness', async () => {
    const r = await mockEntra(['scenarios', 'run', '--dir', 'scenarios', '--reporter', 'console', '--reporter', 'junit', '--out', 'reports']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Tests\s+1 passed \(1\)/);
    expect(r.out).not.toContain('Sourcemap'); // the package's source maps carry their sources
    expect(readFileSync(join(project, 'reports', 'junit.xml'), 'utf8')).toContain('name="mine/app-token — The ingestion app gets an app-only token"');
  }, 240_000);

  it('npx mock-entra serve starts (own state directory), answers discovery over TLS with the CA `npx mock-entra ca --state-dir` prints, and stops on SIGTERM', async () => {
    const stateDir = join(work, 'state');
    const child = spawn(npx, ['mock-entra', 'serve', '--port', '0', '--state-dir', stateDir], {
      cwd: project,
      env: { ...process.env, MOCK_ENTRA_STATE_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let banner = '';
    child.stdout!.on('data', (d: Buffer) => (banner += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (banner += d.toString()));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let url: string | undefined;
    try {
      const end = Date.now() + 60_000;
      while (!banner.includes('Test-control API') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      url = /mock-entra is serving (https:\/\/localhost:\d+)/.exec(banner)?.[1];
      expect(url, banner).toBeDefined();
      expect(banner).toContain(`  print it:          npx mock-entra ca --state-dir ${stateDir}\n`);
      const ca = await mockEntra(['ca', '--state-dir', stateDir]);
      expect(ca.code, ca.out).toBe(0);
      expect(ca.out).toBe(readFileSync(join(stateDir, 'ca-cert.pem'), 'utf8'));
      const discovery = await httpsGet(`${url!}/8bfd947c-c312-4845-9b33-df79185f9499/v2.0/.well-known/openid-configuration`, ca.out);
      expect(discovery.status).toBe(200);
      expect((JSON.parse(discovery.body) as { issuer: string }).issuer).toBe(`${url!}/8bfd947c-c312-4845-9b33-df79185f9499/v2.0`);
    } finally {
      process.kill(-child.pid!, 'SIGTERM'); // npx and the mock: Ctrl-C's process group
    }
    await exited;
    // Stopped: the port answers no more (npx itself ends by the signal, so its code says nothing).
    const end = Date.now() + 10_000;
    let refused = '';
    while (refused !== 'ECONNREFUSED' && Date.now() < end) {
      refused = await httpsGet(url!, '').then(
        () => '',
        (e: NodeJS.ErrnoException) => e.code ?? '',
      );
      if (refused !== 'ECONNREFUSED') await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused).toBe('ECONNREFUSED');
  }, 120_000);

  it('startMockEntra() from a TypeScript file: tsc checks it against the package’s types, tsx runs it (a client-credentials token through trustingFetch)', async () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      // What `tsc --init` writes for a Node project (skipLibCheck included): start.ts is checked
      // against the package's declarations, which must resolve and type it.
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] } }),
    );
    writeFileSync(
      join(project, 'start.ts'),
      `import { CONTOSO, startMockEntra, type RunningMockEntra } from 'mock-entra';
import { trustingFetch } from 'mock-entra/testing';

const mock: RunningMockEntra = await startMockEntra({ port: 0 });
const fetch = trustingFetch(mock.caPem!);
const response = await fetch(\`\${mock.url}/\${CONTOSO.tenantId}/oauth2/v2.0/token\`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: CONTOSO.ingestion.appId,
    client_secret: CONTOSO.ingestion.secret,
    scope: 'https://graph.microsoft.com/.default',
  }).toString(),
});
const token = (await response.json()) as { token_type: string; access_token: string };
console.log(JSON.stringify({ status: response.status, tokenType: token.token_type, parts: token.access_token.split('.').length }));
await mock.close();
`,
    );
    const tsc = await execFile(npx, ['tsc', '-p', 'tsconfig.json'], { cwd: project }).catch((e: { stdout: string }) => ({ stdout: e.stdout, failed: true }));
    expect(tsc).toEqual({ stdout: '', stderr: '' });
    const { stdout } = await execFile(npx, ['tsx', 'start.ts'], { cwd: project, env: { ...process.env, MOCK_ENTRA_STATE_DIR: join(work, 'state') } });
    expect(JSON.parse(stdout)).toEqual({ status: 200, tokenType: 'Bearer', parts: 3 });
  }, 120_000);

  it('scenarios run with a filter on the shipped catalog; a filter that matches nothing says so', async () => {
    const r = await mockEntra(['scenarios', 'run', 'ingestion/client-credentials', '--reporter', 'console', '--out', 'reports-filtered']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Tests\s+1 passed \(1\)/);
    const none = await mockEntra(['scenarios', 'run', 'nope']);
    expect(none.code).toBe(2);
    expect(none.out.split('\n')[0]).toBe("mock-entra scenarios run: no scenario matches 'nope'");
    expect(none.out).toContain('\n  ingestion/client-credentials\n');
  }, 240_000);

  it('conform: the reference bridge as a managed target (examples/targets/bridge, its launcher importing mock-entra/harness) gets its verdicts', async () => {
    cpSync(join(repo, 'examples', 'targets', 'bridge'), join(project, 'bridge'), { recursive: true });
    const r = await mockEntra([
      'conform',
      'bridge/target.yaml',
      'rp-negatives/invalid-iss',
      'sso/rp-login',
      '--reporter',
      'console',
      '--reporter',
      'json',
      '--out',
      'conform',
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^PASS {9}conform\/baseline — pass: signed in/m);
    expect(r.out).toMatch(/^PASS {9}rp-negatives\/invalid-iss — pass: refused: not signed in/m);
    expect(r.out).toContain(`N/A          sso/rp-login — not applicable: the step bridgeVerify uses the bridge's "Verify" button\n`);
    const results = JSON.parse(readFileSync(join(project, 'conform', 'results.json'), 'utf8')) as {
      target: unknown;
      verdicts: Array<{ scenario: string; verdict: string }>;
    };
    expect(results.target).toEqual({ name: 'bridge', library: 'openid-client 6', mode: 'managed' });
    expect(Object.fromEntries(results.verdicts.map((v) => [v.scenario, v.verdict]))).toEqual({
      'conform/baseline': 'pass',
      'rp-negatives/invalid-iss': 'pass',
      'sso/rp-login': 'not applicable',
    });
  }, 240_000);

  it('lists and runs the shipped catalog without --dir', async () => {
    const shipped = findScenarioFiles().length;
    const list = await mockEntra(['scenarios', 'list', '--json']);
    expect(list.code, list.out).toBe(0);
    expect((JSON.parse(list.out) as unknown[]).length).toBe(shipped);
    const r = await mockEntra(['scenarios', 'run', '--reporter', 'console', '--out', 'reports']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`Tests\\s+${shipped} passed \\(${shipped}\\)`));
  }, 240_000);
});
