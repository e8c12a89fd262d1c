import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['mock-idp/test/**/*.test.ts', 'cli/test/**/*.test.ts', 'harness/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real-client tests start Chromium; two cores are enough for two workers.
    maxWorkers: 2,
  },
});
