import type { BridgeError, BridgePhase } from '../../bridge/index.js';
import type { ScenarioRun } from '../run-context.js';
import type { CheckResult, Expectation } from '../scenario.js';

/**
 * The bridge recorded this refusal — whatever else happened in the run (another sign-in may
 * have succeeded). expectRpRejects() says "this sign-in was refused and nobody was provisioned";
 * this one is for a refusal next to a success, e.g. a replayed callback after a good sign-in.
 */

const describe = (e: BridgeError): string => `[${e.phase}] ${e.error} — ${e.description.split(/\r?\n/)[0]}`;

/**
 * @example expectBridgeError({ phase: 'callback', error: 'invalid_state' })
 */
export function expectBridgeError(e: { phase: BridgePhase; error: string }): Expectation {
  const label = `the bridge recorded ${e.error} in phase ${e.phase}`;
  const expectation: Expectation = {
    kind: 'expectBridgeError',
    label,
    conform: { needs: ['bridgeOnly'], reason: "reads the bridge's own error record" },
    async check(run: ScenarioRun): Promise<CheckResult> {
      const errors = run.startedBridge?.status().errors;
      if (!errors) return { ok: false, expected: label, actual: 'the bridge was never started' };
      const hit = errors.find((x) => x.phase === e.phase && x.error === e.error);
      return {
        ok: hit !== undefined,
        expected: label,
        actual: hit ? describe(hit) : errors.length ? `bridge errors: ${errors.map(describe).join('; ')}` : 'the bridge reports no error',
      };
    },
    mutated: () => expectBridgeError({ ...e, phase: e.phase === 'callback' ? 'token' : 'callback' }),
  };
  return Object.freeze(expectation);
}
