import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/support/package-root.js';
import { docker } from './docker-support.js';

/**
 * The conformance harness image (Dockerfile.harness), shared by the tests that run
 * it: built from the Dockerfile when Docker does not have it (.ci/run builds it before the tests).
 * So is docker-compose.yml's Apache + mod_auth_openidc image (examples/compose/apache).
 */

const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const HARNESS_IMAGE = `mock-entra-harness:${VERSION}`;
export const APACHE_IMAGE = `mock-entra-apache:${VERSION}`;

export function ensureHarnessImage(): void {
  try {
    docker(['image', 'inspect', HARNESS_IMAGE]);
    return;
  } catch {
    // Not built yet: build it, passing a TLS-inspecting proxy's CA to the build stage only.
  }
  const extraCa = process.env.NODE_EXTRA_CA_CERTS ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8') : '';
  docker(['build', '-q', '-f', join(PACKAGE_ROOT, 'Dockerfile.harness'), '-t', HARNESS_IMAGE, '--build-arg', `NPM_CA_PEM=${extraCa}`, PACKAGE_ROOT], {
    timeout: 1_200_000,
  });
}

/** docker-compose.yml's `apache` image: Debian's apache2 and libapache2-mod-auth-openidc (apt reaches Debian's mirror). */
export function ensureApacheImage(): void {
  try {
    docker(['image', 'inspect', APACHE_IMAGE]);
    return;
  } catch {
    // Not built yet.
  }
  docker(['build', '-q', '-t', APACHE_IMAGE, join(PACKAGE_ROOT, 'examples', 'compose', 'apache')], { timeout: 1_200_000 });
}
