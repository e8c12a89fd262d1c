import { join, resolve } from 'node:path';
import { sharedServicesOptionsFromEnv, type SharedServicesOptions } from '../environment.js';
import { parseFilters } from '../load-scenarios.js';
import type { TargetMode } from '../conform/rp-instance.js';

/**
 * What one scenario run is told: which scenarios, where reports go, which mock. The CLI hands it
 * to vitest with `provide` (vitest passes it to the global setup and to every worker as
 * `inject('mockEntraRun')`); nothing travels through `process.env`. Inside the repository,
 * `npx vitest run --project scenarios` has no CLI in front of it: there the settings are read
 * once from the environment (`scenarioRunFromEnv`) by vitest.config.ts.
 */

export interface ScenarioRunSettings {
  /** Scenario files (`<flow>/<id>.scenario.ts|js`). Default: the shipped catalog. */
  dir?: string | undefined;
  /** Case-insensitive substrings of `<flow>/<id>`; none = all. */
  filters?: string[] | undefined;
  /** Where screenshots (and the CLI's reports) go. Default `reports/scenarios`. */
  reportDir?: string | undefined;
  /** The mock: start one in-process (over TLS or not), or attach to one at `idpUrl`. */
  services?: SharedServicesOptions | undefined;
  /** Conformance mode (`mock-entra conform`): the target file (absolute) and how it runs. */
  conform?: { targetFile: string; mode: TargetMode } | undefined;
}

/** The report directory of a run: its setting, else `reports/scenarios` under the working directory. */
export function reportDirOf(settings: ScenarioRunSettings | undefined): string {
  return resolve(settings?.reportDir || join('reports', 'scenarios'));
}

/**
 * Settings from environment variables, for runs without the CLI: `MOCK_ENTRA_IDP_URL` (attach),
 * `MOCK_ENTRA_CA` (a PEM file; else `NODE_EXTRA_CA_CERTS` for an https URL),
 * `MOCK_ENTRA_SCENARIOS_TLS=1`, `MOCK_ENTRA_SCENARIOS` (filters), `MOCK_ENTRA_REPORT_DIR`.
 */
export function scenarioRunFromEnv(env: NodeJS.ProcessEnv = process.env): ScenarioRunSettings {
  return {
    filters: parseFilters(env.MOCK_ENTRA_SCENARIOS),
    reportDir: env.MOCK_ENTRA_REPORT_DIR || undefined,
    services: sharedServicesOptionsFromEnv(env),
  };
}
