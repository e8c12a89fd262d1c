import { expectBridgeUser } from '../expectations.js';
import { defineScenario, type LoadedScenario } from '../scenario.js';
import { browserLogin } from '../steps.js';

/**
 * Every conformance run starts with the good-token baseline: a person signs in with nothing
 * broken, and the relying party must reach its signed-in state. Built in (not a catalog file), so
 * a run with `--dir` has it too. If it fails, no negative verdict of the run can mean anything —
 * a target that cannot sign anybody in "rejects" every bad token — so they are all inconclusive.
 */

export const DEFAULT_TARGET_USER = 'AdeleV@contoso.onmicrosoft.com';

export function baselineScenario(user: string = DEFAULT_TARGET_USER): LoadedScenario {
  return {
    ...defineScenario({
      title: 'A good sign-in: the relying party under test signs the user in',
      reproduces:
        'The good-token baseline (as the OIDF RP tests start with a working login): nothing is broken, so a correct relying party reaches its signed-in state',
      steps: [browserLogin({ app: 'bridge', user })],
      expect: [expectBridgeUser({ user })],
    }),
    id: 'baseline',
    flow: 'conform',
    file: '(built in)',
  };
}
