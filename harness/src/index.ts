/**
 * mock-entra/harness: scenarios against the mock — a tenant state, the steps a person or a
 * service takes, the outcome Entra and the relying party must produce.
 *
 * @example
 * // scenarios/sso/rp-login.scenario.ts
 * import { defineScenario, browserLogin, expectBridgeUser, CONTOSO } from 'mock-entra/harness';
 * export default defineScenario({
 *   title: 'A user signs in to the bridge and is provisioned with their security groups',
 *   reproduces: 'PingOne "Connect to Azure" steps 16–17 (attribute mapping, just-in-time provisioning)',
 *   steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
 *   expect: expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [CONTOSO.groups.engineering], groupSource: 'claim' }),
 * });
 */
export {
  defineScenario,
  withMutatedExpectation,
  type Scenario,
  type ScenarioDefinition,
  type LoadedScenario,
  type TenantSpec,
  type GenerateSpec,
  type Step,
  type Expectation,
  type CheckResult,
} from './scenario.js';
export {
  configureBridge,
  bridgeVerify,
  browserLogin,
  spaLogin,
  groupSync,
  resync,
  clientCredentials,
  changeTenant,
  graphFault,
  tenantClock,
  type BrowserLoginOptions,
  type SpaLoginOptions,
  type ClientCredentialsOptions,
  type GraphFaultOptions,
} from './steps.js';
export { mutateNext, type MutateNextOptions } from './steps/mutate-next.js';
export { bridgeRefresh, expectRefreshAccepted, expectRefreshRejected } from './steps/refresh-tokens.js';
export { rotateSigningKey } from './steps/rotate-signing-key.js';
export { entraFault, type EntraFaultOptions } from './steps/entra-fault.js';
export { configureBridgeDiscovery, type BridgeDiscoveryOptions } from './steps/bridge-discovery.js';
export { withOwnAppId } from './steps/own-app-id.js';
export { replayCallback, redeemCodeAgain, bridgeLosesCodeVerifier } from './steps/code-redemption.js';
export { expectBridgeError } from './steps/expect-bridge-error.js';
export { signInThenNextPage, expectBrowserSession } from './steps/browser-session.js';
export { browserLoginCrossSite } from './steps/cross-site-login.js';
export {
  expectAadsts,
  expectGraphError,
  expectBridgeUser,
  expectNoBridgeUser,
  expectBridgeGroups,
  expectGroupSync,
  expectBridgeVerified,
  expectRpRejects,
  expectRpAccepts,
  SKIPPABLE,
  expectClaims,
  expectRequests,
  type AadstsSurface,
  type AadstsOptions,
  type BridgeUserExpectation,
  type BridgeGroupsExpectation,
  type GroupSyncExpectation,
  type ClaimsOptions,
  type RequestsExpectation,
  type RpAcceptsOptions,
} from './expectations.js';
export { addSecurityGroups, helperGroupId } from './fixture-helpers.js';
export { runScenario, type ScenarioReport, type StepReport, type CheckReport, type RunScenarioOptions, type VariantReport } from './runner.js';
export { explainFailure, describeRequest } from './explain.js';
export { ScenarioRun, type BrowserOutcome, type TokenOutcome, type Screenshot, type AadstsSighting } from './run-context.js';
export { createScenarioTenant, scenarioFixture, type ScenarioTenant } from './tenant.js';
export {
  startHarnessEnvironment,
  startSharedServices,
  connectHarnessEnvironment,
  sharedServicesOptionsFromEnv,
  sharedServicesOptions,
  checkReachable,
  type HarnessEnvironment,
  type SharedServices,
  type SharedServicesInfo,
  type SharedServicesOptions,
} from './environment.js';
export { loadScenarios, findScenarioFiles, scenarioIdentity, matchesFilter, parseFilters, DEFAULT_SCENARIOS_DIR } from './load-scenarios.js';
export { HtmlReporter, type HtmlReporterOptions } from './reporters/html.js';
export { scenarioRunFromEnv, type ScenarioRunSettings } from './vitest/run-settings.js';
export { PROJECT_ROOT, SCENARIO_CONCURRENCY, SCENARIOS_TEST_FILE, scenarioProjectTest } from './vitest/config.js';
export { launchChromium } from './drivers/browser.js';
export { defineTarget, type TargetDefinition, type TargetCommand } from './conform/target.js';
export { loadTargetFile, validateTarget, TargetFileError, TARGET_SCHEMA_PATH, type LoadedTarget, type TargetIssue } from './conform/target-file.js';
export { serveBridgeTarget } from './conform/serve-bridge.js';
export type { TargetCapability, ConformNeeds } from './scenario.js';
export type { RpRejectsOptions } from './expectations.js';
export type { Verdict, VerdictKind, TargetRunReport } from './report.js';
export { CONFORM_TEST_FILE } from './vitest/config.js';
export { VerdictReporter, verdictLine, verdictSummary, type ConformResult } from './conform/verdict-reporter.js';
export { findChromium, CHROMIUM_ARGS } from '../../mock-idp/src/testing.js';
/** The default tenant's well-known ids (the README's table): scenarios use them; the engine maps them onto each run's tenant. */
export { CONTOSO } from '../../mock-idp/src/index.js';
