import { registerScenarios } from '../src/vitest/register.js';

/**
 * The adapter `mock-entra scenarios run` runs: every scenario under scenarios/ (or
 * MOCK_ENTRA_SCENARIOS_DIR, filtered by MOCK_ENTRA_SCENARIOS) as a vitest test, one concurrent
 * test per file, shuffled. In `npm test` the same scenarios run once through harness.test.ts,
 * which registers them the same way and also proves their expectations can fail.
 */
await registerScenarios();
