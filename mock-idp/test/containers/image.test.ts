import { DOCKER, describeWithDocker, docker } from './docker-support.js';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONTOSO } from '../../src/contoso.js';
import { MOCK_ENTRA_IMAGE, ensureMockEntraImage } from '../../src/testcontainers.js';

/**
 * Issue 14 §1: the mock's image (the top-level Dockerfile). It holds no signing key, sealing key
 * or CA — every file of every layer is listed from `docker save` — and each container makes its
 * own on first start; it runs as `node`, publishes 8443, keeps its state in a volume, reports
 * healthy through its HEALTHCHECK, and prints its CA and a generated control credential.
 */

const STATE_FILES = ['ca.pem', 'ca-cert.pem', 'sealing-key.hex', 'signing-key.pem'];

interface ImageConfig {
  User: string;
  ExposedPorts: Record<string, object>;
  Volumes: Record<string, object>;
  Env: string[];
  Entrypoint: string[];
  Cmd: string[];
  Healthcheck: { Test: string[] };
}

describeWithDocker('the mock-entra image', () => {
  let work: string;
  const containers: string[] = [];
  beforeAll(async () => {
    await ensureMockEntraImage();
    work = await mkdtemp(join(tmpdir(), 'mock-entra-image-'));
  }, 600_000);
  afterAll(async () => {
    if (DOCKER && containers.length) docker(['rm', '-f', '-v', ...containers]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('holds no key, no CA and no sources in any layer: dist/, fixtures/, package.json and production node_modules', async () => {
    const saved = join(work, 'image.tar');
    docker(['save', '-o', saved, MOCK_ENTRA_IMAGE], { timeout: 300_000 });
    const unpacked = join(work, 'image');
    execFileSync('mkdir', ['-p', unpacked]);
    execFileSync('tar', ['-xf', saved, '-C', unpacked]);
    const layers = (await readdir(unpacked, { recursive: true })).filter((p) => p.endsWith('layer.tar'));
    expect(layers.length).toBeGreaterThan(0);
    const paths = layers.flatMap((layer) =>
      execFileSync('tar', ['-tf', join(unpacked, layer)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).split('\n'),
    );

    expect(paths.filter((p) => p.startsWith('var/lib/mock-entra/') && p !== 'var/lib/mock-entra/')).toEqual([]);
    expect(paths.filter((p) => STATE_FILES.includes(p.split('/').pop() ?? ''))).toEqual([]);
    expect(paths.filter((p) => p.includes('.local/state/mock-entra'))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('npm-ca.pem'))).toEqual([]);
    const app = new Set(paths.filter((p) => p.startsWith('app/') && p !== 'app/').map((p) => p.split('/')[1]));
    expect([...app].sort()).toEqual(['dist', 'fixtures', 'node_modules', 'package.json']);
    expect(paths).toContain('app/dist/cli/main.js');
    expect(paths).toContain('app/fixtures/contoso.yaml');
    for (const dev of ['typescript', 'vitest', 'testcontainers', 'playwright-core', 'esbuild']) {
      expect(
        paths.some((p) => p.startsWith(`app/node_modules/${dev}/`)),
        dev,
      ).toBe(false);
    }
    expect(paths.some((p) => p.startsWith('app/node_modules/fastify/'))).toBe(true);

    // The registry CA passed to the build stage appears in no layer's history either.
    const history = docker(['history', '--no-trunc', MOCK_ENTRA_IMAGE]);
    expect(history).not.toContain('BEGIN CERTIFICATE');
  }, 300_000);

  it('runs as node, on 0.0.0.0:8443, with the state directory a volume and a HEALTHCHECK', () => {
    const config = JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config}}', MOCK_ENTRA_IMAGE])) as ImageConfig;
    expect(config.User).toBe('node');
    expect(config.ExposedPorts).toEqual({ '8443/tcp': {} });
    expect(config.Volumes).toEqual({ '/var/lib/mock-entra': {} });
    expect(config.Env).toEqual(expect.arrayContaining(['MOCK_ENTRA_HOST=0.0.0.0', 'MOCK_ENTRA_PORT=8443', 'MOCK_ENTRA_STATE_DIR=/var/lib/mock-entra']));
    expect(config.Entrypoint).toEqual(['node', '/app/dist/cli/main.js']);
    expect(config.Cmd).toEqual(['serve']);
    expect(config.Healthcheck.Test[0]).toBe('CMD');
    expect(docker(['run', '--rm', '--entrypoint', 'ls', MOCK_ENTRA_IMAGE, '-A', '/var/lib/mock-entra'])).toBe('');
  }, 120_000);

  it('makes its own CA and signing key per container, becomes healthy, prints the CA and a control credential', async () => {
    // The image's own HEALTHCHECK command, checked every second instead of every 5 s.
    for (let i = 0; i < 2; i++) containers.push(docker(['run', '-d', '--health-interval', '1s', '-p', '127.0.0.1::8443', MOCK_ENTRA_IMAGE]).trim());
    for (const id of containers) await healthy(id);
    const [a, b] = await Promise.all(containers.map(async (id) => served(id)));
    expect(a!.caPem).not.toBe(b!.caPem);
    expect(a!.kids).not.toEqual(b!.kids);
    for (const [i, id] of containers.entries()) {
      const logs = docker(['logs', id]);
      const s = [a, b][i]!;
      expect(logs).toContain('mock-entra is serving https://localhost:8443\n');
      expect(logs).toContain(`${s.caPem.trimEnd()}\n`);
      expect(logs).toMatch(/\n {2}control credential \(callers beyond loopback send it\): Authorization: Bearer [A-Za-z0-9_-]{43}\n/);
      expect(s.discovery.issuer).toBe(`https://localhost:8443/${CONTOSO.tenantId}/v2.0`);
    }
  }, 180_000);
});

/** Waits for Docker to report the container healthy (its HEALTHCHECK: discovery over its own CA). */
async function healthy(id: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const status = docker(['inspect', '--format', '{{.State.Health.Status}}', id]).trim();
    if (status === 'healthy') return;
    if (status === 'unhealthy') throw new Error(`container ${id} is unhealthy:\n${docker(['logs', id])}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`container ${id} did not become healthy:\n${docker(['logs', id])}`);
}

/** The container's CA (read inside it), its discovery document and JWKS key ids, over HTTPS from the host. */
async function served(id: string): Promise<{ caPem: string; discovery: { issuer: string }; kids: string[] }> {
  const caPem = docker(['exec', id, 'cat', '/var/lib/mock-entra/ca-cert.pem']);
  const port = Number(docker(['port', id, '8443/tcp']).trim().split(':').pop());
  const get = (path: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port, path, servername: 'localhost', ca: caPem }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      })
        .on('error', reject)
        .end();
    });
  const discovery = (await get(`/${CONTOSO.tenantId}/v2.0/.well-known/openid-configuration`)) as { issuer: string };
  const jwks = (await get(`/${CONTOSO.tenantId}/discovery/v2.0/keys`)) as { keys: Array<{ kid: string }> };
  return { caPem, discovery, kids: jwks.keys.map((k) => k.kid) };
}
