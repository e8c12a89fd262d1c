import type { Reporter, TestCase } from 'vitest/node';
import type { ScenarioReport } from '../report.js';
import '../vitest/provided-context.js';
import { verdictMark } from './verdict.js';

/**
 * The console of `mock-entra conform`: one line per scenario as its verdict comes in —
 * `PASS  rp-negatives/invalid-iss — …`, `FAIL` with the explanation, `N/A` with the reason,
 * `INCONCLUSIVE` — and a count at the end.
 */

export type ConformResult = Pick<ScenarioReport, 'id' | 'flow' | 'title'> & { verdict: NonNullable<ScenarioReport['verdict']> };

const PASS_REASON_LIMIT = 160;

export function verdictLine(r: ConformResult): string {
  const head = `${verdictMark(r.verdict.kind).padEnd(13)}${r.flow}/${r.id}`;
  const text = r.verdict.kind === 'pass' || r.verdict.kind === 'not-applicable' ? r.verdict.text : r.verdict.text.toUpperCase();
  // A pass needs no essay on the console (the reports keep the whole reason); a failure keeps all of it.
  const reason =
    r.verdict.kind === 'pass' && r.verdict.reason.length > PASS_REASON_LIMIT ? `${r.verdict.reason.slice(0, PASS_REASON_LIMIT - 1)}…` : r.verdict.reason;
  return `${head} — ${text}: ${reason}`;
}

export function verdictSummary(results: readonly ConformResult[], target: string, mode: string): string {
  const n = (k: string) => results.filter((r) => r.verdict.kind === k).length;
  return `${target} (${mode}): ${results.length} scenario(s) — ${n('pass')} pass, ${n('fail')} fail, ${n('not-applicable')} not applicable, ${n('inconclusive')} inconclusive`;
}

export class VerdictReporter implements Reporter {
  readonly results: ConformResult[] = [];

  constructor(private readonly o: { write?: (line: string) => void } = {}) {}

  onTestCaseResult(testCase: TestCase): void {
    const s = testCase.meta().scenario;
    if (!s?.verdict) return;
    const r: ConformResult = { id: s.id, flow: s.flow, title: s.title, verdict: s.verdict };
    this.results.push(r);
    this.o.write?.(`${verdictLine(r)}\n`);
  }
}
