import { registerScenarios } from '../src/vitest/register.js';

/**
 * Every scenario under scenarios/ as a vitest test (one concurrent test per file, shuffled).
 * Run: `npx vitest run --project scenarios`, or `mock-entra scenarios run [filter]`.
 */
await registerScenarios();
