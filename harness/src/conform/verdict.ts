import type { ScenarioReport, Verdict, VerdictKind } from '../report.js';
import type { Scenario } from '../scenario.js';

/**
 * A scenario's verdict on a target: pass, pass with a skippable check not performed, fail (with
 * the check the relying party misses, named), not applicable (why), or inconclusive (the
 * baseline failed, or the target could not be started or reached — never a pass).
 */

export type { Verdict, VerdictKind };

/** The console's column: PASS, FAIL, N/A, INCONCLUSIVE. */
export function verdictMark(kind: VerdictKind): string {
  return kind === 'pass' ? 'PASS' : kind === 'fail' ? 'FAIL' : kind === 'not-applicable' ? 'N/A' : 'INCONCLUSIVE';
}

/** "The ID token's iss is one character off: the bridge rejects it" → "the ID token's iss is one character off". */
function brokenThing(title: string): string {
  const head = title.split(/:\s/)[0] ?? title;
  return head.charAt(0).toLowerCase() + head.slice(1);
}

export function verdictOf(scenario: Scenario, report: ScenarioReport): Verdict {
  if (report.error !== undefined) return { kind: 'inconclusive', text: 'inconclusive', reason: report.error };
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length === 0 && report.checks.length === scenario.expect.length) {
    const skipped = report.checks.find((c) => c.skipped)?.skipped;
    const reason = [...new Set(report.checks.map((c) => c.actual))].join('; ');
    return skipped ? { kind: 'pass', text: `pass (skippable check not performed: ${skipped})`, reason } : { kind: 'pass', text: 'pass', reason };
  }
  const mutations = report.steps.filter((s) => s.kind === 'mutateNext').map((s) => s.label.replace(/^broken on purpose: /, ''));
  const accepted = failed.find((c) => c.actual.startsWith('accepted'));
  if (accepted) {
    return {
      kind: 'fail',
      text: 'fail',
      reason: `accepted the sign-in although ${brokenThing(scenario.title)}${mutations.length ? ` (${mutations.join('; ')})` : ''} — the relying party misses the check: ${scenario.reproduces}. Seen: ${accepted.actual}`,
    };
  }
  return { kind: 'fail', text: 'fail', reason: failed.map((c) => `expected ${c.expected}; got ${c.actual}`).join(' — ') };
}
