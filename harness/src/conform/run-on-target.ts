import type { HarnessEnvironment } from '../environment.js';
import type { ScenarioReport } from '../report.js';
import { runScenario } from '../runner.js';
import type { LoadedScenario } from '../scenario.js';
import { applicability } from './applicability.js';
import type { TargetMode } from './rp-instance.js';
import type { LoadedTarget } from './target-file.js';
import { targetDriver } from './target-driver.js';
import { verdictOf } from './verdict.js';

/**
 * One scenario against one target, with its verdict: decided "not applicable" before anything
 * runs, "inconclusive" without running when the run's baseline failed, else run by the engine
 * with the target in the bridge's place and judged.
 */

export interface TargetRunOptions {
  mode: TargetMode;
  /** The baseline's outcome: `failed` makes every applicable scenario inconclusive. */
  baseline: 'passed' | 'failed' | 'is-this';
}

function unrun(scenario: LoadedScenario, loaded: LoadedTarget, mode: TargetMode, verdict: NonNullable<ScenarioReport['verdict']>): ScenarioReport {
  return {
    id: scenario.id,
    flow: scenario.flow,
    file: scenario.file,
    title: scenario.title,
    reproduces: scenario.reproduces,
    ok: verdict.kind !== 'inconclusive',
    steps: [],
    checks: [],
    aadstsSeen: [],
    requests: [],
    screenshots: [],
    startedAt: new Date().toISOString(),
    durationMs: 0,
    target: { name: loaded.target.name, ...(loaded.target.library ? { library: loaded.target.library } : {}), mode },
    verdict,
    ...(verdict.kind === 'inconclusive' ? { failure: `INCONCLUSIVE — ${verdict.reason}` } : {}),
  };
}

export async function runOnTarget(scenario: LoadedScenario, env: HarnessEnvironment, loaded: LoadedTarget, o: TargetRunOptions): Promise<ScenarioReport> {
  const a = applicability(scenario, loaded.target, o.mode);
  if (!a.applies)
    return unrun(scenario, loaded, o.mode, {
      kind: 'not-applicable',
      text: a.needsRestart ? 'not applicable (needs restart)' : 'not applicable',
      reason: a.reason,
    });
  if (o.baseline === 'failed')
    return unrun(scenario, loaded, o.mode, {
      kind: 'inconclusive',
      text: 'inconclusive',
      reason: 'the baseline (a good sign-in) failed, so a refusal here would prove nothing',
    });
  const report = await runScenario(scenario, env, { target: targetDriver(loaded, o.mode, env), keepTenant: o.mode === 'attached' });
  const verdict = verdictOf(scenario, report);
  report.verdict = o.baseline === 'is-this' && verdict.kind === 'fail' ? { ...verdict, reason: `the good sign-in failed: ${verdict.reason}` } : verdict;
  report.ok = verdict.kind === 'pass';
  if (!report.ok) report.failure = `${verdict.text.toUpperCase()} — ${report.verdict.reason}${report.failure ? `\n\n${report.failure}` : ''}`;
  return report;
}
