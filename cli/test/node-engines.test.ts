import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README promises Node 20.19+ (package.json `engines`). `npm ci` on Node 20 warned
 * `EBADENGINE cookie@2.0.2 requires node >= 22` (light-my-request 6.8 pulls cookie 2; @azure/core-auth
 * 1.11 and @azure/identity 4.14 also declare Node ≥ 22): the lock pins releases that accept Node
 * 20. This keeps it so: every package the lock installs — production, dev and optional — accepts
 * the oldest Node our `engines` allows, so a Node 20.19 install is clean.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
// npm's own range semantics (semver, in node_modules through npm's tool chain; it ships no types).
const semver = createRequire(import.meta.url)('semver') as {
  satisfies: (version: string, range: string) => boolean;
  minVersion: (range: string) => { version: string } | null;
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe('Node engines', () => {
  it('package.json says Node 20.19+, and the README says the same', () => {
    expect(pkg.engines.node).toBe('>=20.19');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('On a machine with Node 20.19+ and npm');
  });

  it('every package in package-lock.json accepts Node 20.19.0 (no EBADENGINE on `npm ci`)', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(oldest).toBe('20.19.0');
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, meta]) => {
        const range = Array.isArray(meta.engines) ? undefined : meta.engines?.node;
        return range !== undefined && !semver.satisfies(oldest, range)
          ? [`${path.replace(/^.*node_modules\//, '')}@${meta.version ?? '?'} requires node ${range}`]
          : [];
      });
    expect(refusing).toEqual([]);
  });

  it('the versions pinned for Node 20 are the ones installed', () => {
    const installed = (name: string): string | undefined => lock.packages[`node_modules/${name}`]?.version;
    expect(installed('light-my-request')).toBe('6.6.0');
    expect(installed('cookie')).toBe('1.1.1');
    expect(installed('@azure/identity')).toBe('4.13.1');
    const copies = (name: string): string[] =>
      Object.entries(lock.packages)
        .filter(([path]) => path.endsWith(`node_modules/${name}`))
        .map(([, meta]) => meta.version ?? '?');
    // The override holds for every copy (1.11 requires Node 22).
    expect(new Set(copies('@azure/core-auth'))).toEqual(new Set(['1.10.1']));
    // fastify's own light-my-request is deduplicated onto ours: no copy of cookie 2 anywhere.
    expect(copies('cookie').filter((v) => v.startsWith('2.'))).toEqual([]);
  });
});
