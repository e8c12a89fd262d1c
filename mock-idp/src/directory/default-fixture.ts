import { packagePath } from '../support/package-root.js';

/**
 * The shipped default tenant (Contoso), the public contract documented in the README. Its own
 * module, so a start can name it without loading the fixture reader (YAML, the JSON Schema).
 */
export const DEFAULT_FIXTURE_PATH = packagePath('fixtures', 'contoso.yaml');
