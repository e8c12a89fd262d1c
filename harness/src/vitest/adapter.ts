import { registerScenarios } from './register.js';

/**
 * The test file `mock-entra scenarios run` hands vitest: every scenario of the run's settings
 * (`inject('mockEntraRun')`: its folder — the shipped catalog by default — and filters) as a
 * vitest test, one concurrent test per file, shuffled. It ships in the package (as
 * dist/harness/src/vitest/adapter.js), so an installed mock-entra runs scenarios without the
 * repository. In `npm test` the same scenarios run once through harness/test/harness.test.ts,
 * which registers them the same way and also proves their expectations can fail.
 */
await registerScenarios();
