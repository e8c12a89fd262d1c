import { describe, expect, it } from 'vitest';
import type { MockEntraControl } from '../../mock-idp/src/index.js';
import { applicability } from '../src/conform/applicability.js';
import {
  DEFAULT_SCENARIOS_DIR,
  defineScenario,
  expectBridgeVerified,
  bridgeVerify,
  loadScenarios,
  runScenario,
  type HarnessEnvironment,
  type TargetDefinition,
} from '../src/index.js';

/**
 * The scenarios that run under Microsoft's own names (`impersonation: true`, scenarios/impersonation/):
 * their runs are proven by the harness's own test (harness.test.ts, `-t impersonation`); here what
 * keeps them from running where they cannot — attached to a running mock, against a target.
 */

const TARGET: TargetDefinition = {
  name: 'express',
  app: { appId: '0221982c-674f-4c07-930d-62307ef0b73c', displayName: 'Express', web: { redirectUris: ['http://localhost:${PORT}/callback'] } },
  managed: { command: 'node app.js' },
  signIn: { path: '/login' },
  signedIn: { selector: '#signed-in' },
};

/** An attached environment: no impersonation. The run must stop before it touches the mock. */
const attached: HarnessEnvironment = {
  idpUrl: 'https://mock.example.test',
  caPem: undefined,
  control: {} as MockEntraControl,
  newBrowserContext: () => Promise.reject(new Error('no browser in this test')),
  close: () => Promise.resolve(),
};

const scenario = {
  ...defineScenario({
    title: "Verify under Microsoft's names",
    reproduces: 'this test',
    impersonation: true,
    steps: [bridgeVerify()],
    expect: [expectBridgeVerified()],
  }),
  id: 'verify-impersonated',
  flow: 'impersonation',
  file: 'inline',
};

describe("scenarios under Microsoft's own names", () => {
  it('ships the issue 15 scenarios, each declared with impersonation: true', async () => {
    const loaded = await loadScenarios({ dir: DEFAULT_SCENARIOS_DIR, filters: ['impersonation/'] });
    expect(loaded.map((s) => [s.id, s.impersonation]).sort()).toEqual([
      ['national-cloud-hardcoded-issuer', true],
      ['national-cloud-issuer-from-discovery', true],
      ['organizations-issuer-template', true],
    ]);
  });

  it('defineScenario keeps impersonation, false by default', () => {
    expect(scenario.impersonation).toBe(true);
    expect(defineScenario({ title: 't', reproduces: 'r', steps: [bridgeVerify()], expect: [expectBridgeVerified()] }).impersonation).toBe(false);
  });

  it('is not applicable to a conformance target, with its reason', async () => {
    for (const s of await loadScenarios({ dir: DEFAULT_SCENARIOS_DIR, filters: ['impersonation/'] })) {
      expect(applicability(s, TARGET, 'managed')).toEqual({
        applies: false,
        reason: "it runs under Microsoft's own names, on a mock of the harness's own in impersonation mode, with the bridge",
      });
    }
  });

  it('attached to a running mock (no impersonation): the run fails with why, before creating a tenant', async () => {
    const report = await runScenario(scenario, attached);
    expect(report.ok).toBe(false);
    expect(report.tenant).toBeUndefined();
    expect(report.error).toBe(
      "this scenario runs under Microsoft's own names, against a mock the harness starts in impersonation mode: not applicable when attached to a running mock (--idp-url) or against a target",
    );
  });
});
