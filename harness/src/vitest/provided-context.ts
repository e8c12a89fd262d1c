import type { SharedServicesInfo } from '../environment.js';
import type { ScenarioMeta } from './meta.js';
import type { ScenarioRunSettings } from './run-settings.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** What this run is told (the CLI's `provide`, or vitest.config.ts from the environment). */
    mockEntraRun: ScenarioRunSettings;
    /** Set by the scenario project's global setup (harness/src/vitest/global-setup.ts). */
    mockEntraHarness: SharedServicesInfo;
  }
}

declare module '@vitest/runner' {
  interface TaskMeta {
    /** A scenario's report (screenshots as files), for the HTML and JSON reporters. */
    scenario?: ScenarioMeta;
  }
}

export {};
