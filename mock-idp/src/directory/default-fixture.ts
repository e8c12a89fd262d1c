import { fileURLToPath } from 'node:url';

/**
 * The shipped default tenant (Contoso), the public contract documented in the README. Its own
 * module, so a start can name it without loading the fixture reader (YAML, the JSON Schema).
 */
export const DEFAULT_FIXTURE_PATH = fileURLToPath(
  // From mock-idp/src/directory/ (sources) or dist/mock-idp/src/directory/ (build) to fixtures/.
  new URL(import.meta.url.includes('/dist/mock-idp/') ? '../../../../fixtures/contoso.yaml' : '../../../fixtures/contoso.yaml', import.meta.url),
);
