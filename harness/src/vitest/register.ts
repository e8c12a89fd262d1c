import { afterAll, beforeAll, inject, test } from 'vitest';
import { connectHarnessEnvironment, type HarnessEnvironment } from '../environment.js';
import { DEFAULT_SCENARIOS_DIR, loadScenarios } from '../load-scenarios.js';
import { runScenario, type ScenarioReport } from '../runner.js';
import type { Expectation, LoadedScenario } from '../scenario.js';
import { toMeta } from './meta.js';
import { reportDirOf } from './run-settings.js';
import './provided-context.js';

/**
 * The vitest adapter: one concurrent `test()` per scenario file, all in this test file, so that
 * they share one mock and one Chromium (from the global setup) and run several at a time
 * (`maxConcurrency`) in shuffled order (`sequence.shuffle`). A failed scenario fails its test
 * with the engine's self-explaining message; its report rides along in the task meta for the
 * HTML and JSON reporters.
 *
 * Settings: the run's (`inject('mockEntraRun')`, see run-settings.ts) — the scenario folder
 * (default: the shipped catalog), filters, and where screenshots go.
 */

export class ScenarioFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioFailure';
    // The engine's message is the explanation; a stack of harness internals adds nothing.
    this.stack = `${this.name}: ${message}`;
  }
}

let shared: Promise<HarnessEnvironment> | undefined;

/** The worker's connection to the shared mock and Chromium. */
export function harnessEnvironment(): Promise<HarnessEnvironment> {
  shared ??= connectHarnessEnvironment(inject('mockEntraHarness'));
  return shared;
}

/** Closes this worker's connection (the shared services themselves stop with the global setup). */
export async function closeHarnessEnvironment(): Promise<void> {
  const env = shared;
  shared = undefined;
  if (env) await (await env).close();
}

export interface RegisterOptions {
  dir?: string;
  filters?: string[];

  /** Other expected outcomes to judge against each run (`runScenario`'s `variants`). */
  variants?: (scenario: LoadedScenario) => ReadonlyArray<readonly Expectation[]>;
  /** Called after a scenario passed, with its report (the harness's self-test asserts on the variants here). */
  afterPass?: (scenario: LoadedScenario, report: ScenarioReport) => void | Promise<void>;
}

export async function registerScenarios(o: RegisterOptions = {}): Promise<LoadedScenario[]> {
  const run = inject('mockEntraRun');
  const screenshots = reportDirOf(run);
  const scenarios = await loadScenarios({ dir: o.dir ?? run?.dir ?? DEFAULT_SCENARIOS_DIR, filters: o.filters ?? run?.filters ?? [] });
  beforeAll(async () => {
    await harnessEnvironment();
  });
  afterAll(closeHarnessEnvironment);
  for (const s of scenarios) {
    test.concurrent(`${s.flow}/${s.id} — ${s.title}`, { timeout: s.timeoutMs + 30_000 }, async ({ task, skip }) => {
      const env = await harnessEnvironment();
      if (s.impersonation && !env.impersonation) skip("not applicable: it needs a mock of the harness's own in impersonation mode (not --idp-url)");
      const report = await runScenario(s, env, o.variants ? { variants: o.variants(s) } : {});
      const { variants: _, ...shown } = report;
      task.meta.scenario = toMeta(shown, screenshots);
      if (!report.ok) throw new ScenarioFailure(report.failure ?? 'failed');
      await o.afterPass?.(s, report);
    });
  }
  // A run that runs nothing must not pass: a filter that matches no scenario is an error.
  if (scenarios.length === 0) {
    test('no scenario matches the filter', () => {
      throw new Error('no scenario matches the filter — `mock-entra scenarios list` shows the ids');
    });
  }
  return scenarios;
}
