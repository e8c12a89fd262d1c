import { PACKAGE_ROOT } from '../../../mock-idp/src/support/package-root.js';

/**
 * The vitest settings of the scenario project, shared by the repository's vitest.config.ts and
 * `mock-entra scenarios run`: the adapter file, the global setup (one mock, one Chromium),
 * concurrency and shuffling.
 */

/** The repository root. */
export const PROJECT_ROOT = PACKAGE_ROOT;

/** Sources of the adapter and the global setup — vitest transforms TypeScript itself. */
export const SCENARIOS_TEST_FILE = 'harness/test/scenarios.test.ts';
export const HARNESS_TEST_FILE = 'harness/test/harness.test.ts';
export const GLOBAL_SETUP_FILE = 'harness/src/vitest/global-setup.ts';

/** Scenarios running at once in one worker. They mostly wait on the browser and the network, so a small machine copes. */
export const SCENARIO_CONCURRENCY = 6;

/**
 * In the repository's `scenarios` project (npm test) the scenarios run once, through the
 * harness's own test, which registers them like the adapter does and also proves each changed
 * expectation turns them red; `mock-entra scenarios run` runs the plain adapter.
 */
export function scenarioProjectTest(o: { include?: string[]; concurrency?: number } = {}) {
  return {
    name: 'scenarios',
    include: o.include ?? [HARNESS_TEST_FILE],
    globalSetup: [GLOBAL_SETUP_FILE],
    maxConcurrency: o.concurrency ?? SCENARIO_CONCURRENCY,
    sequence: { shuffle: true },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  };
}
