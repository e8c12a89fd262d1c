import { existsSync } from 'node:fs';

/**
 * Whether Debian's Apache httpd and mod_auth_openidc are installed, for the suites that run them.
 * Without them a suite is skipped — except in CI (`CI` set), where .ci/run installs them, so a
 * missing Apache there fails loudly instead of passing unnoticed.
 */

export const APACHE_BIN = '/usr/sbin/apache2';
export const OPENIDC_MODULE = '/usr/lib/apache2/modules/mod_auth_openidc.so';
const INSTALL_HINT = 'apt-get install apache2 libapache2-mod-auth-openidc';

/** True when both are there; throws in CI when they are not; warns (naming `suite`) otherwise. */
export function apacheInstalled(suite: string): boolean {
  const installed = existsSync(APACHE_BIN) && existsSync(OPENIDC_MODULE);
  if (!installed && process.env.CI) {
    throw new Error(`CI: Apache httpd with mod_auth_openidc is missing (${APACHE_BIN}, ${OPENIDC_MODULE}); .ci/run installs it: ${INSTALL_HINT}`);
  }
  if (!installed) console.warn(`${suite}: skipped — Apache httpd with mod_auth_openidc is not installed (${INSTALL_HINT}).`);
  return installed;
}
