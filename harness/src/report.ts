import type { RequestLogEntry } from '../../mock-idp/src/index.js';
import type { AadstsSighting, Screenshot } from './run-context.js';

/**
 * What a scenario run reports: its steps, its checks, the request log and screenshots, and the
 * self-explaining failure. The engine (runner.ts) writes it; the explanation (explain.ts) and the
 * reporters read it.
 */

export interface StepReport {
  index: number;
  kind: string;
  label: string;
  ok: boolean;
  /** What happened, in words. */
  summary?: string;
  /** Why the step could not be carried out. */
  error?: string;
  durationMs: number;
}

export interface CheckReport {
  kind: string;
  label: string;
  ok: boolean;
  expected: string;
  actual: string;
  /** Conformance mode: the skippable rule by which this check passed (see CheckResult.skipped). */
  skipped?: string;
}

/** Conformance mode: a scenario's verdict on a target (conform/verdict.ts). */
export type VerdictKind = 'pass' | 'fail' | 'not-applicable' | 'inconclusive';

export interface Verdict {
  kind: VerdictKind;
  /** As shown: `pass`, `pass (skippable check not performed: …)`, `fail`, `not applicable`, `not applicable (needs restart)`, `inconclusive`. */
  text: string;
  /** Why, in words, with the evidence. */
  reason: string;
}

/** Conformance mode: the relying party the scenario ran against. */
export interface TargetRunReport {
  name: string;
  library?: string;
  mode: 'managed' | 'attached';
  url?: string;
  /** Managed: how its process ended while it should have been running. */
  exited?: string;
  /** The last of what the app (or its restart hook) printed. */
  output?: string;
}

export interface ScenarioReport {
  id: string;
  flow: string;
  file: string;
  title: string;
  reproduces: string;
  ok: boolean;
  tenant?: { id: string; domain: string; authority: string };
  steps: StepReport[];
  checks: CheckReport[];
  /** A step or the harness itself failed (the expectations were then not checked). */
  error?: string;
  aadstsSeen: AadstsSighting[];
  /** The tenant's request log, as the mock recorded it (secrets masked); long logs keep their first and last entries. */
  requests: RequestLogEntry[];
  /** Entries left out of `requests` in the middle of a long log. */
  requestsOmitted?: number;
  /** Every browser page on failure; the final page on success. */
  screenshots: Screenshot[];
  startedAt: string;
  durationMs: number;
  /** The self-explaining failure message (undefined when ok). */
  failure?: string;
  /** Conformance mode: the target and the verdict. */
  target?: TargetRunReport;
  verdict?: Verdict;
  /** With `options.variants`: each variant's verdict, in order. */
  variants?: VariantReport[];
}

/** The verdict on one variant of the expected outcome. */
export interface VariantReport {
  ok: boolean;
  checks: CheckReport[];
  failure?: string;
}
