import { afterAll, beforeAll, inject, test } from 'vitest';
import { applicability } from '../conform/applicability.js';
import { baselineScenario } from '../conform/baseline.js';
import { runOnTarget } from '../conform/run-on-target.js';
import { loadTargetFile } from '../conform/target-file.js';
import { DEFAULT_SCENARIOS_DIR, loadScenarios } from '../load-scenarios.js';
import type { ScenarioReport } from '../report.js';
import { toMeta } from './meta.js';
import { closeHarnessEnvironment, harnessEnvironment, ScenarioFailure } from './register.js';
import { reportDirOf } from './run-settings.js';
import './provided-context.js';

/**
 * The test file `mock-entra conform` hands vitest: the built-in baseline, then every scenario of
 * the catalog (or `--dir`), each run against the target of the run's settings and given a
 * verdict. Not applicable → a skipped test with its reason; fail and inconclusive → a failed test
 * with the explanation; the report (with `verdict` and `target`) rides in the task meta for the
 * JSON and HTML reporters, as for `scenarios run`.
 */

const settings = inject('mockEntraRun');
const conform = settings?.conform;
if (!conform) throw new Error('conform-adapter: the run names no target (use `mock-entra conform <target file>`)');
const mode = conform.mode;
const loaded = await loadTargetFile(conform.targetFile);
const screenshots = reportDirOf(settings);
const scenarios = await loadScenarios({ dir: settings.dir ?? DEFAULT_SCENARIOS_DIR, filters: settings.filters ?? [] });
const baseline = baselineScenario(loaded.target.user);

let baselineRun: Promise<ScenarioReport> | undefined;
/** The baseline runs once, first — whichever test asks for it first — and every verdict waits for it. */
const baselineReport = (): Promise<ScenarioReport> => {
  baselineRun ??= harnessEnvironment().then((env) => runOnTarget(baseline, env, loaded, { mode, baseline: 'is-this' }));
  return baselineRun;
};

beforeAll(async () => {
  await harnessEnvironment();
});
afterAll(closeHarnessEnvironment);

const name = (s: { flow: string; id: string; title: string }) => `${s.flow}/${s.id} — ${s.title}`;

test.concurrent(name(baseline), { timeout: baseline.timeoutMs + 60_000 }, async ({ task }) => {
  const report = await baselineReport();
  task.meta.scenario = toMeta(report, screenshots);
  if (!report.ok) throw new ScenarioFailure(report.failure ?? 'the baseline failed');
});

for (const s of scenarios) {
  test.concurrent(name(s), { timeout: s.timeoutMs + 60_000 }, async ({ task, skip }) => {
    const env = await harnessEnvironment();
    const applies = applicability(s, loaded.target, mode).applies;
    const base = applies ? (await baselineReport()).ok : true;
    const report = await runOnTarget(s, env, loaded, { mode, baseline: base ? 'passed' : 'failed' });
    task.meta.scenario = toMeta(report, screenshots);
    if (report.verdict?.kind === 'not-applicable') skip(`${report.verdict.text}: ${report.verdict.reason}`);
    if (!report.ok) throw new ScenarioFailure(report.failure ?? report.verdict?.reason ?? 'failed');
  });
}
