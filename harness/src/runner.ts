import { explainFailure } from './explain.js';
import type { RpInstance } from './conform/rp-instance.js';
import type { HarnessEnvironment } from './environment.js';
import type { CheckReport, ScenarioReport } from './report.js';
import { ScenarioRun } from './run-context.js';
import type { Expectation, LoadedScenario, Scenario } from './scenario.js';
import { createScenarioTenant, type ScenarioTenant } from './tenant.js';

export type { CheckReport, ScenarioReport, StepReport, VariantReport } from './report.js';

/**
 * The engine: one scenario, start to end — its own tenant, the steps in order, every
 * expectation checked, the mock's request log and screenshots collected, the tenant deleted —
 * and a report that explains a failure by itself (expected vs actual, the AADSTS codes and
 * messages seen, the last request to the mock).
 */

export interface RunScenarioOptions {
  /** Keep the scenario's tenant in the mock after the run (to inspect it). Default false. */
  keepTenant?: boolean;
  /**
   * Other expected outcomes to check against the same run, each judged and explained exactly
   * like the scenario's own (`report.variants`). The harness's self-test uses it to try every
   * mutated expectation of a scenario without repeating its steps.
   */
  variants?: ReadonlyArray<readonly Expectation[]>;
  /**
   * Conformance mode: the relying party under test takes the bridge's place. It creates the
   * scenario's tenant (its app registration in it) and starts or readies the app for it.
   */
  target?: TargetDriver;
}

/** How the engine runs a scenario against a target (conform/target-driver.ts builds one). */
export interface TargetDriver {
  /** Creates the scenario's tenant, with the target's app registration. */
  createTenant(scenario: Scenario & { id: string }): Promise<ScenarioTenant>;
  /** Starts (managed) or readies (attached, restarted when needed) the app for that tenant. */
  start(tenant: ScenarioTenant): Promise<RpInstance>;
  /** Shown in the report. */
  describe(): { name: string; library?: string; mode: 'managed' | 'attached' };
}

/**
 * Runs one scenario. Never throws for a scenario failure: read `report.ok` / `report.failure`
 * (the vitest adapter turns it into a failed test).
 *
 * @example
 * const env = await startHarnessEnvironment();
 * const report = await runScenario({ ...defineScenario({...}), id: 'mine', flow: 'sso', file: 'inline' }, env);
 * if (!report.ok) console.error(report.failure);
 */
export async function runScenario(
  scenario: LoadedScenario | (Scenario & { id: string; flow?: string; file?: string }),
  shared: HarnessEnvironment,
  o: RunScenarioOptions = {},
): Promise<ScenarioReport> {
  const started = Date.now();
  let env = shared;
  const report: ScenarioReport = {
    id: scenario.id,
    flow: scenario.flow ?? '',
    file: scenario.file ?? '',
    title: scenario.title,
    reproduces: scenario.reproduces,
    ok: false,
    steps: [],
    checks: [],
    aadstsSeen: [],
    requests: [],
    screenshots: [],
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
  };
  let run: ScenarioRun | undefined;
  let variantChecks: CheckReport[][] | undefined;
  try {
    if (scenario.impersonation) {
      if (!shared.impersonation || o.target)
        throw new Error(
          "this scenario runs under Microsoft's own names, against a mock the harness starts in impersonation mode: not applicable when attached to a running mock (--idp-url) or against a target",
        );
      env = await shared.impersonation().catch((e: unknown) => {
        throw new Error(`could not start the mock in impersonation mode: ${(e as Error).message}`);
      });
    }
    const tenant = await (o.target ? o.target.createTenant(scenario) : createScenarioTenant(env.control, scenario.tenant, scenario.id)).catch((e: unknown) => {
      throw new Error(`could not create the scenario's tenant: ${(e as Error).message}`);
    });
    report.tenant = { id: tenant.id, domain: tenant.domain, authority: tenant.authority };
    run = new ScenarioRun(env, tenant);
    const r = run;
    if (o.target) {
      report.target = o.target.describe();
      r.skippableRule = scenario.expect.find((x) => x.conform?.skippable)?.conform?.skippable;
      r.rp = await o.target.start(tenant).catch((e: unknown) => {
        throw new Error(`the target could not be started or reached: ${(e as Error).message}`);
      });
      report.target.url = r.rp.url;
    }
    await withTimeout(scenario.timeoutMs, `the scenario did not finish within ${scenario.timeoutMs} ms`, async () => {
      for (const [index, step] of scenario.steps.entries()) {
        r.stepIndex = index;
        const t0 = Date.now();
        try {
          const summary = await step.run(r);
          report.steps.push({ index, kind: step.kind, label: r.localize(step.label), ok: true, summary, durationMs: Date.now() - t0 });
        } catch (e) {
          const message = (e as Error).message ?? String(e);
          report.steps.push({ index, kind: step.kind, label: r.localize(step.label), ok: false, error: message, durationMs: Date.now() - t0 });
          throw new StepFailed(index, step.label, message);
        }
      }
      report.checks = await checkAll(scenario.expect, r);
      if (o.variants) variantChecks = await Promise.all(o.variants.map((v) => checkAll(v, r)));
    });
  } catch (e) {
    report.error = e instanceof StepFailed ? `step ${e.index + 1} (${e.label}) could not be carried out: ${e.reason}` : (e as Error).message;
  } finally {
    if (run) {
      report.aadstsSeen = run.allSightings();
      const log = await run.requests().catch(() => []);
      if (log.length > MAX_LOGGED) {
        report.requests = [...log.slice(0, KEEP_HEAD), ...log.slice(log.length - (MAX_LOGGED - KEEP_HEAD))];
        report.requestsOmitted = log.length - MAX_LOGGED;
      } else report.requests = log;
      await run.dispose();
      if (run.rp && report.target) {
        const rp = run.rp;
        const exited = rp.exited();
        await rp.stop().catch(() => undefined);
        const output = rp.output();
        report.target = { ...report.target, ...(exited ? { exited } : {}), ...(output ? { output } : {}) };
      }
      if (!o.keepTenant) await env.control.deleteTenant(run.tenant.id).catch(() => undefined);
    }
  }
  report.ok = report.error === undefined && report.checks.length === scenario.expect.length && report.checks.every((c) => c.ok);
  const shots = run?.screenshots ?? [];
  report.screenshots = report.ok ? shots.slice(-1) : shots;
  report.durationMs = Date.now() - started;
  if (!report.ok) report.failure = explainFailure(report);
  if (o.variants) {
    report.variants = o.variants.map((v, i) => {
      const checks = variantChecks?.[i] ?? [];
      const ok = report.error === undefined && checks.length === v.length && checks.every((c) => c.ok);
      return { ok, checks, ...(ok ? {} : { failure: explainFailure({ ...report, ok, checks, screenshots: shots }) }) };
    });
  }
  return report;
}

async function checkAll(expectations: readonly Expectation[], r: ScenarioRun): Promise<CheckReport[]> {
  const out: CheckReport[] = [];
  for (const x of expectations) {
    try {
      const c = await x.check(r);
      out.push({ kind: x.kind, label: r.localize(x.label), ...c });
    } catch (e) {
      out.push({
        kind: x.kind,
        label: r.localize(x.label),
        ok: false,
        expected: r.localize(x.label),
        actual: `the check itself failed: ${(e as Error).message}`,
      });
    }
  }
  return out;
}

/** A sync of thousands of groups makes thousands of requests: reports keep the first and the last ones. */
const MAX_LOGGED = 600;
const KEEP_HEAD = 100;

class StepFailed extends Error {
  constructor(
    readonly index: number,
    readonly label: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

async function withTimeout(ms: number, message: string, fn: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
