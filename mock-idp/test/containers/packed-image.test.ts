import { DOCKER, describeWithDocker, docker } from './docker-support.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/support/package-root.js';
import { registryCaPem } from '../../src/testcontainers/registry-ca.js';

/**
 * The image built from the installed npm package, as `mock-entra/testcontainers` builds it when
 * Docker lacks `mock-entra:<version>`: the package ships the Dockerfile and dist/ but no sources
 * and no package-lock.json, so the build stage installs the production dependencies only. The
 * tarball is `npm pack --ignore-scripts` of this checkout (dist/ as the last build left it: in CI,
 * `npm ci`'s).
 */

const TAG = `mock-entra-packed-check:${process.pid}`;

describeWithDocker('the image built from the npm package', () => {
  let work: string;
  let container: string | undefined;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mock-entra-packed-image-'));
  });
  afterAll(() => {
    if (DOCKER && container) docker(['rm', '-f', '-v', container]);
    if (DOCKER) docker(['rmi', '-f', TAG]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('builds from the package alone and serves discovery', async () => {
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
    const pkg = join(work, 'package');
    expect(readdirSync(pkg).sort()).toEqual(['.dockerignore', 'Dockerfile', 'README.md', 'dist', 'fixtures', 'package.json']);
    const ca = registryCaPem();
    docker(['build', '-q', '-t', TAG, ...(ca ? ['--build-arg', `NPM_CA_PEM=${ca}`] : []), pkg], { timeout: 600_000 });
    container = docker(['run', '-d', '--health-interval', '1s', TAG]).trim();
    for (let i = 0; i < 120; i++) {
      const status = docker(['inspect', '--format', '{{.State.Health.Status}}', container]).trim();
      if (status === 'healthy') break;
      if (status === 'unhealthy' || i === 119) throw new Error(`the packed image's container is ${status}:\n${docker(['logs', container])}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(docker(['logs', container])).toContain('mock-entra is serving https://localhost:8443\n');
  }, 900_000);
});
