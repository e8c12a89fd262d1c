import { execFile as execFileCb } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
