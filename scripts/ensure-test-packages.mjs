#!/usr/bin/env node
// What `npm test` needs from the machine, installed on a fresh Debian machine as root (elsewhere
// it says how): Debian's Chromium, which the browser tests drive through playwright-core (no
// browser download is possible here), and Apache httpd with mod_auth_openidc, the third-party
// relying party of mock-idp/test/third-party/ (skipped without it, except under CI), and MSAL for
// Python (python3-msal) with Debian's python3, the Python recipe of mock-idp/test/real-clients/
// (skipped without it, except under CI).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
const missing = [];

const chromiums = [process.env.MOCK_ENTRA_CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'].filter(Boolean);
const chromium = chromiums.find((c) => (c.includes('/') ? existsSync(c) : spawnSync('sh', ['-c', `command -v ${c}`]).status === 0));
if (!chromium) missing.push('chromium');
const apache = existsSync('/usr/sbin/apache2') && existsSync('/usr/lib/apache2/modules/mod_auth_openidc.so');
if (!apache) missing.push('apache2', 'libapache2-mod-auth-openidc');
const pythonMsal = spawnSync('/usr/bin/python3', ['-c', 'import msal']).status === 0;
if (!pythonMsal) missing.push('python3-msal');
if (missing.length === 0) process.exit(0);

if (isRoot && hasApt) {
  console.log(`ensure-test-packages: installing Debian's ${missing.join(', ')} (apt-get) for the tests…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  process.exit(0);
}
if (!apache) {
  console.warn(
    'ensure-test-packages: Apache httpd with mod_auth_openidc is not installed (Debian/Ubuntu: sudo apt-get install apache2 libapache2-mod-auth-openidc): its test will be skipped.',
  );
}
if (!pythonMsal) {
  console.warn(
    "ensure-test-packages: MSAL for Python is not installed for /usr/bin/python3 (Debian/Ubuntu: sudo apt-get install python3-msal): the Python recipe's test will be skipped.",
  );
}
if (!chromium) {
  console.error(
    'ensure-test-packages: no Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set MOCK_ENTRA_CHROMIUM to a Chrome/Chromium executable.',
  );
  process.exit(1);
}
