#!/usr/bin/env node
// The browser tests drive Debian's Chromium through playwright-core (no browser download is
// possible here). On a fresh Debian machine, as root, this installs it; elsewhere it says how.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.MOCK_ENTRA_CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'].filter(Boolean);
const found = candidates.find((c) => (c.includes('/') ? existsSync(c) : spawnSync('sh', ['-c', `command -v ${c}`]).status === 0));
if (found) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
if (isRoot && hasApt) {
  console.log("ensure-chromium: installing Debian's chromium (apt-get) for the browser tests…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  process.exit(0);
}
console.error(
  'ensure-chromium: no Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set MOCK_ENTRA_CHROMIUM to a Chrome/Chromium executable.',
);
process.exit(1);
