import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../mock-idp/src/index.js';

/**
 * The vitest settings of the scenario project, shared by the repository's vitest.config.ts and
 * `mock-entra scenarios run`: the adapter file, the global setup (one mock, one Chromium),
 * concurrency and shuffling.
 */

/** The package's root: the repository, or node_modules/mock-entra of an installed package. */
export const PROJECT_ROOT = PACKAGE_ROOT;

/**
 * A clone runs the harness from its TypeScript sources (vitest transforms them); an installed
 * package has only tsc's build under dist/. The adapter and the global setup run from whichever
 * is there, so that they share module instances with the scenario files (`mock-entra/harness`
 * is dist/harness/src/index.js in a package).
 */
const FROM_SOURCES = existsSync(join(PACKAGE_ROOT, 'harness', 'src', 'vitest', 'adapter.ts'));

/** The adapter (one vitest test per scenario), relative to PROJECT_ROOT. */
export const SCENARIOS_TEST_FILE = FROM_SOURCES ? 'harness/src/vitest/adapter.ts' : 'dist/harness/src/vitest/adapter.js';
/** The conformance adapter (`mock-entra conform`): the catalog against a target, one verdict per scenario. */
export const CONFORM_TEST_FILE = FROM_SOURCES ? 'harness/src/vitest/conform-adapter.ts' : 'dist/harness/src/vitest/conform-adapter.js';
export const GLOBAL_SETUP_FILE = FROM_SOURCES ? 'harness/src/vitest/global-setup.ts' : 'dist/harness/src/vitest/global-setup.js';
/**
 * In an installed package, vitest would hand the harness to plain Node (it sits in
 * node_modules), which cannot import TypeScript scenario files; processed by vitest ("inlined"),
 * the adapter's and the scenarios' imports of the harness meet in one module graph and every
 * scenario file, TypeScript or not, loads through vitest.
 */
const INLINE = FROM_SOURCES ? [] : [/[\\/]dist[\\/](?:harness|scenarios)[\\/]/];

/** The harness's own test (the repository only): runs every scenario and proves its expectations falsifiable. */
export const HARNESS_TEST_FILE = 'harness/test/harness.test.ts';

/** Scenarios running at once in one worker. They mostly wait on the browser and the network, so a small machine copes. */
export const SCENARIO_CONCURRENCY = 6;

/**
 * In the repository's `scenarios` project (npm test) the scenarios run once, through the
 * harness's own test, which registers them like the adapter and also proves each changed
 * expectation turns them red; `mock-entra scenarios run` runs the plain adapter.
 */
export function scenarioProjectTest(o: { include?: string[]; concurrency?: number } = {}) {
  return {
    name: 'scenarios',
    include: o.include ?? [HARNESS_TEST_FILE],
    globalSetup: [GLOBAL_SETUP_FILE],
    inline: INLINE,
    maxConcurrency: o.concurrency ?? SCENARIO_CONCURRENCY,
    sequence: { shuffle: true },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  };
}
