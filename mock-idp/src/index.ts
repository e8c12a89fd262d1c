/**
 * mock-entra: a mock Microsoft Entra ID (Azure AD) and Microsoft Graph for development and CI.
 * The client-side helpers of a test (a fetch that trusts the mock's CA, Chromium) are
 * `mock-entra/testing`; the fixture tools (read, validate, import a manifest) `mock-entra/fixtures`.
 *
 * @example
 * import { startMockEntra, CONTOSO } from 'mock-entra';
 * const mock = await startMockEntra({ port: 0 });
 * // authority for MSAL / openid-client: `${mock.url}/${CONTOSO.tenantId}`
 * await mock.close();
 */

export { startMockEntra, createContext, startBanner, type RunningMockEntra } from './server.js';
export { buildApp } from './app.js';
export {
  resolveOptions,
  optionsFromArgs,
  serveOptionsHelp,
  optionsTable,
  OptionError,
  OPTIONS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  CONTROL_LIMIT_DEFAULTS,
  type MockEntraOptions,
  type ResolvedOptions,
  type OptionDeclaration,
  type OptionKind,
  type OptionName,
} from './config/options.js';
export type { MockContext } from './context.js';
export { MockEntraControl, MockControlError, type TenantInfo } from './control-client.js';
export { DEFAULT_FIXTURE_PATH } from './directory/default-fixture.js';
export { FixtureError, formatIssue, type FixtureIssue } from './directory/fixture-issues.js';
export type * from './directory/model.js';
export { CATALOG, CATALOG_CODES, type AadstsCode, type CatalogEntry } from './errors/catalog.js';
export { loadCaCertificate } from './keys/tls.js';
export { impersonateMicrosoft, type ImpersonationTarget } from './impersonation/in-process-route.js';
export { CLOUDS, IMPERSONATED_HOSTS, type Cloud, type CloudName } from './impersonation/clouds.js';
export { defaultStateDir, UntrustedStateError } from './keys/state-dir.js';
export type { RequestLogEntry } from './runtime/request-log.js';
export type { GraphFault, GraphFaultSpec } from './runtime/faults.js';
export type { EntraFault, EntraFaultAnswer, EntraFaultEndpoint, EntraFaultSpec } from './runtime/entra-faults.js';
export type { AppliedMutation, Mutation, MutationSpec, MutationTarget } from './runtime/mutations.js';
export type { PatchOperation } from './support/json-patch.js';
export { PACKAGE_ROOT, packagePath } from './support/package-root.js';
export { GRAPH_APP_ID } from './directory/microsoft-graph.js';
export { CONTOSO } from './contoso.js';
