/**
 * mock-entra/fixtures: the fixture tools — read and validate fixture files (YAML or JSON, every
 * problem with its file and JSON path), resolve `extends` and `generate`, turn an app
 * registration manifest into a fixture. An entry of its own so that starting the mock does not
 * load them (the YAML reader and the JSON Schema compiler): `mock-entra serve` reads fixtures it
 * validated before from a cache.
 *
 * @example
 * import { loadFixtureFile } from 'mock-entra/fixtures';
 * const doc = await loadFixtureFile('fixtures/my-tenant.yaml'); // throws FixtureError listing every issue
 */

export { loadFixtureFile, loadFixtures, checkedFixture, resolveFixture, type ResolveOptions } from './directory/load-fixture.js';
export { consentExample, importManifest } from './directory/import-manifest.js';
export { fixtureToJson } from './directory/fixture-json.js';
export { isGuid, stableUuid } from './support/ids.js';
