/**
 * `npm run bench:scenarios`: how long the shipped scenario catalog takes against the reference
 * bridge, as `mock-entra scenarios run` runs it (one mock, one Chromium, six scenarios at a time).
 * Issues 12 and 13 set the goal: under 2 s per scenario on average on this 2-core machine.
 *
 * Each run is a fresh `mock-entra scenarios run` process (from the sources, through tsx, as the
 * CLI tests run it); the figure is the wall time of the whole run — start-up, the shared mock and
 * Chromium, every scenario — divided by the number of scenarios, and each scenario's own duration
 * from vitest's JSON report. The median of `--runs` runs (default 3). No pass/fail: figures only.
 *
 *   npm run bench:scenarios
 *   npm run bench:scenarios -- --runs 1
 *
 * Prints a table and writes bench/results/scenarios.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib/figures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results', 'scenarios.json');

interface VitestJson {
  testResults: Array<{ assertionResults: Array<{ title: string; fullName: string; status: string; duration?: number }> }>;
}

interface RunFigures {
  wallMs: number;
  scenarios: number;
  failed: number;
  perScenarioMs: number;
  durations: Record<string, number>;
}

async function runOnce(): Promise<RunFigures> {
  const out = mkdtempSync(join(tmpdir(), 'mock-entra-bench-scenarios-'));
  try {
    const started = process.hrtime.bigint();
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'scenarios', 'run', '--reporter', 'json', '--out', out], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, MOCK_ENTRA_IDP_URL: '', FORCE_COLOR: '0' },
      });
      child.once('close', done);
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as VitestJson;
    const tests = report.testResults.flatMap((f) => f.assertionResults);
    const failed = tests.filter((t) => t.status !== 'passed').length;
    if (code !== 0 && failed === 0) throw new Error(`mock-entra scenarios run exited ${code}`);
    const durations = Object.fromEntries(tests.map((t) => [t.title.split(' — ')[0]!, Math.round(t.duration ?? 0)]));
    return { wallMs, scenarios: tests.length, failed, perScenarioMs: wallMs / tests.length, durations };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs: RunFigures[] = [];
const loadBefore = loadavg()[0]!;
for (let i = 0; i < Number(values.runs); i++) runs.push(await runOnce());

const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] },
  scenarios: runs[0]!.scenarios,
  failed: Math.max(...runs.map((r) => r.failed)),
  wallMs: runs.map((r) => Math.round(r.wallMs)),
  medianWallMs: Math.round(median(runs.map((r) => r.wallMs))),
  medianPerScenarioMs: Math.round(median(runs.map((r) => r.perScenarioMs))),
  goalPerScenarioMs: 2000,
  slowest: Object.entries(runs[runs.length - 1]!.durations)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5),
};
writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  [
    `scenarios: ${result.scenarios} (${result.failed} failed)`,
    `whole run, median of ${runs.length}: ${(result.medianWallMs / 1000).toFixed(1)} s`,
    `per scenario (wall time ÷ scenarios): ${(result.medianPerScenarioMs / 1000).toFixed(2)} s — goal < 2 s`,
    `slowest: ${result.slowest.map(([id, ms]) => `${id} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
    `written: ${RESULTS}`,
  ].join('\n'),
);
