import { DOCKER, describeWithDocker, docker } from './docker-support.js';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureMockEntraImage } from '../../src/testcontainers.js';
import { PACKAGE_ROOT } from '../../src/support/package-root.js';

/**
 * The README's "Run in a container / in CI" blocks that need Docker, run as a reader runs them
 * (cli/test/readme-snippets.test.ts maps them here): the `docker run` block in bash — its port,
 * container and volume names made unique, and its `docker build` line left to
 * ensureMockEntraImage (the same tag, built by the same Dockerfile when missing) — and the
 * testcontainers TypeScript block as a module, `mock-entra/…` resolved to this repository.
 */

const execFile = promisify(execFileCb);
const README = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
const BLOCKS = [...README.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => m[2]!);

function block(marker: string): string {
  const found = BLOCKS.filter((b) => b.includes(marker));
  if (found.length !== 1) throw new Error(`README: ${found.length} code blocks contain ${JSON.stringify(marker)}`);
  return found[0]!;
}

describeWithDocker('README, Run in a container / in CI', () => {
  let work: string;
  beforeAll(async () => {
    await ensureMockEntraImage();
    work = mkdtempSync(join(tmpdir(), 'mock-entra-readme-container-'));
  }, 600_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the docker build / docker run block: healthy, discovery over its CA, the control API with the credential', async () => {
    const port = await freePort();
    const name = `mock-entra-readme-${process.pid}`;
    const script = block('docker build -t mock-entra:0.1.0 .')
      .replace('docker build -t mock-entra:0.1.0 .\n', '')
      .replaceAll('8443:8443', `${port}:8443`)
      .replaceAll('localhost:8443', `localhost:${port}`)
      .replaceAll('mock-entra-state', `${name}-state`)
      .replace(/(--name |inspect -f '\{\{\.State\.Health\.Status\}\}' |exec |rm -f )mock-entra\b/g, `$1${name}`);
    expect(script).not.toContain('8443:8443');
    try {
      const { stdout } = await execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, timeout: 120_000 });
      // curl prints no newline: the two answers share a line, after the container id `docker run -d`
      // prints (and before the names `rm` prints).
      const answers = stdout.split('\n').find((line) => line.startsWith('{'))!;
      const at = answers.lastIndexOf('{"status"');
      const [discovery, health] = [answers.slice(0, at), answers.slice(at, answers.indexOf('}', at) + 1)];
      expect((JSON.parse(discovery!) as { issuer: string }).issuer).toBe(`https://localhost:${port}/8bfd947c-c312-4845-9b33-df79185f9499/v2.0`);
      expect(JSON.parse(health!)).toEqual({ status: 'ok', tenants: 1 });
      expect(readFileSync(join(work, 'mock-entra-ca.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    } finally {
      if (DOCKER) await execFile('bash', ['-c', `docker rm -f ${name}; docker volume rm ${name}-state`]).catch(() => undefined);
    }
    expect(docker(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.ID}}'])).toBe('');
  }, 180_000);

  it('the testcontainers block: openid-client signs in through the container, the control client advances the clock', async () => {
    const code = block("from 'mock-entra/testcontainers'");
    const resolved = code.replace(/from '([^']+)'/g, (_m, spec: string) => {
      if (spec === 'mock-entra/testcontainers') return `from ${JSON.stringify(pathToFileURL(join(PACKAGE_ROOT, 'mock-idp/src/testcontainers.ts')).href)}`;
      if (spec === 'mock-entra/testing') return `from ${JSON.stringify(pathToFileURL(join(PACKAGE_ROOT, 'mock-idp/src/testing.ts')).href)}`;
      return `from ${JSON.stringify(import.meta.resolve(spec))}`;
    });
    const file = join(work, 'testcontainers-snippet.ts');
    // Run from the package root: the snippet names fixtures/contoso.yaml relative to it.
    writeFileSync(
      file,
      resolved.replace("withFixture('fixtures/contoso.yaml')", `withFixture(${JSON.stringify(join(PACKAGE_ROOT, 'fixtures/contoso.yaml'))})`),
    );
    const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { accessToken: string };
    const claims = JSON.parse(Buffer.from(module.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({
      tid: '8bfd947c-c312-4845-9b33-df79185f9499',
      appid: '90d3a1a1-3048-4779-8ee3-17f5f979da19',
      aud: 'https://graph.microsoft.com',
    });
  }, 600_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}
