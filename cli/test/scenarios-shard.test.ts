import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findScenarioFiles, scenarioIdentity } from '../../harness/src/index.js';
import { parseShard, shardOf } from '../scenario-shard.js';

/**
 * `mock-entra scenarios` selection, as a CI job uses it: a filter that matches nothing is said in
 * one line with the ids (not a vitest code frame), and `--shard i/n` splits the selection into
 * disjoint parts that together are all of it — listed and run. The CLI runs from source (tsx).
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const HARNESS = join(ROOT, 'harness', 'src', 'index.ts');
const TSX = import.meta.resolve('tsx');
const work = mkdtempSync(join(tmpdir(), 'mock-entra-shard-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CATALOG = findScenarioFiles()
  .map((f) => scenarioIdentity(f))
  .map((s) => `${s.flow}/${s.id}`)
  .sort();

function scenarios(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'cli', 'main.ts'), 'scenarios', ...args], {
      cwd: work,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', MOCK_ENTRA_IDP_URL: '', MOCK_ENTRA_SCENARIOS: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => done({ code, out, err }));
  });
}

describe('scenarios run: a filter that matches nothing', () => {
  it('says "no scenario matches \'nope\'" and lists the ids, exit 2, before vitest starts', async () => {
    const r = await scenarios(['run', 'nope', '--reporter', 'console']);
    expect(r).toEqual({
      code: 2,
      out: '',
      err: `mock-entra scenarios run: no scenario matches 'nope'\n\nThe scenarios (a filter is a case-insensitive part of one of these):\n${CATALOG.map((n) => `  ${n}`).join('\n')}\n`,
    });
  }, 60_000);
});

describe('--shard i/n', () => {
  it('parses I/N and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/2', '3/2', '1', '1/0', 'a/b', '1/2/3']) expect(parseShard(bad)).toBeUndefined();
  });

  it('splits names into disjoint contiguous parts; names containing one another stay together (filters are substrings)', () => {
    const names = ['sso/rp-login', 'a/one', 'sso/rp-login-expired', 'b/two', 'c/three'];
    expect(shardOf(names, { index: 1, count: 2 })).toEqual(['a/one', 'b/two']);
    expect(shardOf(names, { index: 2, count: 2 })).toEqual(['c/three', 'sso/rp-login', 'sso/rp-login-expired']);
    expect(shardOf(['a/x'], { index: 1, count: 2 })).toEqual([]); // more machines than scenarios: one idles
  });

  it('lists the shipped catalog in two disjoint halves that together are all of it', async () => {
    const halves = await Promise.all(
      ['1/2', '2/2'].map(async (shard) => {
        const r = await scenarios(['list', '--json', '--shard', shard]);
        expect(r.code, r.err).toBe(0);
        return (JSON.parse(r.out) as Array<{ flow: string; id: string }>).map((s) => `${s.flow}/${s.id}`);
      }),
    );
    const [first, second] = halves as [string[], string[]];
    expect(first.filter((n) => second.includes(n))).toEqual([]);
    expect([...first, ...second].sort()).toEqual(CATALOG);
    expect([...first].sort()).toEqual(shardOf(CATALOG, { index: 1, count: 2 }).sort());
    expect([...second].sort()).toEqual(shardOf(CATALOG, { index: 2, count: 2 }).sort());
    expect(first.length * second.length).toBeGreaterThan(0);
  }, 120_000);

  it('runs disjoint halves of a --dir selection: each scenario in exactly one shard’s report', async () => {
    const dir = join(work, 'scenarios');
    mkdirSync(join(dir, 'apps'), { recursive: true });
    for (const id of ['token-one', 'token-two', 'token-three']) {
      writeFileSync(
        join(dir, 'apps', `${id}.scenario.ts`),
        `import { clientCredentials, defineScenario, expectClaims } from ${JSON.stringify(HARNESS)};
export default defineScenario({
  title: 'app-only token ${id}',
  reproduces: 'the shard test',
  steps: [clientCredentials()],
  expect: expectClaims({ idtyp: 'app' }),
});
`,
      );
    }
    const ran: string[][] = [];
    for (const shard of ['1/2', '2/2']) {
      const out = join(work, `reports-${shard.replace('/', '-of-')}`);
      const r = await scenarios(['run', 'apps/', '--dir', dir, '--shard', shard, '--reporter', 'junit', '--out', out]);
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toContain(`shard ${shard}: ${shard === '1/2' ? 1 : 2} of 3 scenario(s)\n`);
      const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
      ran.push([...junit.matchAll(/<testcase classname="[^"]*" name="(apps\/[\w-]+) —/g)].map((m) => m[1]!).sort());
    }
    // Sorted apps/token-one, -three, -two: the first third to machine 1, the rest to machine 2.
    expect(ran).toEqual([['apps/token-one'], ['apps/token-three', 'apps/token-two']]);
  }, 240_000);
});
