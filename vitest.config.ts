import { configDefaults, defineConfig } from 'vitest/config';
import { HtmlReporter } from './harness/src/reporters/html.js';
import { HARNESS_TEST_FILE, scenarioProjectTest } from './harness/src/vitest/config.js';
import { scenarioRunFromEnv } from './harness/src/vitest/run-settings.js';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real-client tests start Chromium; two cores are enough for two workers.
    maxWorkers: 2,
    // The scenario project's settings (the CLI provides its own): from the environment, for
    // `MOCK_ENTRA_IDP_URL=… npx vitest run --project scenarios` (harness/src/vitest/run-settings.ts).
    provide: { mockEntraRun: scenarioRunFromEnv() },
    // CI reads JUnit XML; the scenarios' HTML report (screenshots, request logs) sits next to it.
    reporters: ['default', ['junit', { outputFile: 'reports/junit.xml' }], new HtmlReporter({ outputFile: 'reports/scenarios/index.html' })],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['mock-idp/test/**/*.test.ts', 'cli/test/**/*.test.ts', 'harness/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, HARNESS_TEST_FILE],
        },
      },
      // The scenarios (scenarios/**/*.scenario.ts), run by the harness's own test: one shared mock and
      // Chromium (global setup), several scenarios at once, shuffled. `npx vitest run --project scenarios`.
      { extends: true, test: scenarioProjectTest() },
    ],
  },
});
