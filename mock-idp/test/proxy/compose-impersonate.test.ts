import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONTOSO } from '../../src/contoso.js';
import { IMPERSONATED_HOSTS } from '../../src/impersonation/clouds.js';
import { PACKAGE_ROOT } from '../../src/support/package-root.js';
import { ensureMockEntraImage } from '../../src/testcontainers.js';
import { DOCKER, describeWithDocker, docker } from '../containers/docker-support.js';
import { ensureHarnessImage } from '../containers/harness-image-build.js';

/**
 * Issue 15, the containers' route: examples/compose-impersonate/docker-compose.yml brought up
 * with Debian's docker-compose 1.29 (or `docker compose` v2). The mock has network aliases for
 * Microsoft's host names on an internal network and answers on 443 as its non-root user; clients
 * call https://login.microsoftonline.com and https://graph.microsoft.com with no setting but
 * NODE_EXTRA_CA_CERTS (the impersonation CA from the mock's state volume):
 * - the compose file's own client, openid-client v6 from the harness image: discovery, client
 *   credentials, then Graph's groups;
 * - MSAL Node (this repository's @azure/msal-node, bundled into one file and mounted into the
 *   same image): a ConfidentialClientApplication with authority
 *   https://login.microsoftonline.com/{tenant}, no knownAuthorities, client credentials.
 * Then `down -v`.
 *
 * The images: `mock-entra:${MOCK_ENTRA_VERSION}` and `mock-entra-harness:${MOCK_ENTRA_VERSION}`
 * (the package's version unless set), as .ci/run builds them.
 */

const VERSION = process.env.MOCK_ENTRA_VERSION || (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const FILE = join(PACKAGE_ROOT, 'examples', 'compose-impersonate', 'docker-compose.yml');
const PROJECT = `mock-entra-impersonate-${process.pid}`;

function compose(args: string[]): string {
  const v1 = commandExists('docker-compose');
  return execFileSync(v1 ? 'docker-compose' : 'docker', [...(v1 ? [] : ['compose']), '-f', FILE, '-p', PROJECT, ...args], {
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 300_000,
    env: { ...process.env, MOCK_ENTRA_VERSION: VERSION, MOCK_ENTRA_CONTROL_TOKEN: '' },
  });
}

function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** The client's one JSON line (compose may print its own lines around it). */
function jsonLine(output: string): Record<string, unknown> {
  const line = output.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON line in:\n${output}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** MSAL Node as an unmodified app would use it; bundled (CommonJS: jsonwebtoken requires built-ins) for the harness image. */
const MSAL_CLIENT = `
const msal = require('@azure/msal-node');
(async () => {
  const app = new msal.ConfidentialClientApplication({
    auth: {
      clientId: process.env.AZURE_CLIENT_ID,
      authority: 'https://login.microsoftonline.com/' + process.env.AZURE_TENANT_ID,
      clientSecret: process.env.AZURE_CLIENT_SECRET,
    },
  });
  const result = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
  const claims = JSON.parse(Buffer.from(result.accessToken.split('.')[1], 'base64url').toString());
  console.log(JSON.stringify({ authority: result.authority, aud: claims.aud, iss: claims.iss, tid: claims.tid, appid: claims.appid, roles: claims.roles }));
})().catch((e) => {
  console.log(JSON.stringify({ error: e.name + ': ' + e.message }));
  process.exitCode = 1;
});
`;

describeWithDocker('examples/compose-impersonate/docker-compose.yml', () => {
  let work: string;
  let container: string;

  beforeAll(async () => {
    await ensureMockEntraImage(`mock-entra:${VERSION}`);
    ensureHarnessImage();
    work = mkdtempSync(join(tmpdir(), 'mock-entra-impersonate-'));
    compose(['up', '-d', 'mock-entra']);
    container = compose(['ps', '-q', 'mock-entra']).trim();
    for (let i = 0; i < 120; i++) {
      const status = docker(['inspect', '--format', '{{.State.Health.Status}}', container]).trim();
      if (status === 'healthy') return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the mock did not become healthy:\n${compose(['logs', 'mock-entra'])}`);
  }, 900_000);
  afterAll(() => {
    if (DOCKER) compose(['down', '-v']);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs the mock as the non-root user on port 443 of an internal network, under the Microsoft names', () => {
    expect(docker(['exec', container, 'id', '-un']).trim()).toBe('node');
    const network = JSON.parse(docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', container])) as Record<
      string,
      { Aliases: string[] | null }
    >;
    const aliases = network[`${PROJECT}_microsoft`]!.Aliases ?? [];
    // Every name the mock impersonates, and (beside Docker's own container-id alias) nothing else.
    expect(aliases.filter((a) => a.includes('.')).sort()).toEqual([...IMPERSONATED_HOSTS.keys()].sort());
    expect(docker(['network', 'inspect', '--format', '{{.Internal}}', `${PROJECT}_microsoft`]).trim()).toBe('true');
    expect(
      compose(['logs', 'mock-entra']),
      `mock-entra:${VERSION} does not impersonate: an image older than impersonation mode (rebuild it; .ci/run does)`,
    ).toContain("Impersonating Microsoft's host names");
  });

  it("the compose file's client (openid-client, authority https://login.microsoftonline.com/{tenant}/v2.0) gets a token and Graph's groups", () => {
    const out = jsonLine(compose(['run', '--rm', '-T', 'client']));
    expect(out).toEqual({
      ok: true,
      issuer: `https://login.microsoftonline.com/${CONTOSO.tenantId}/v2.0`,
      tokenType: 'bearer',
      groups: ['All Company', 'Data Stewards', 'Engineering'],
      context: 'https://graph.microsoft.com/v1.0/$metadata#groups(displayName)',
    });
  });

  it('MSAL Node with authority https://login.microsoftonline.com/{tenant} and no knownAuthorities gets an app token', async () => {
    const bundle = join(work, 'msal-client.cjs');
    const entry = join(work, 'msal-entry.cjs');
    writeFileSync(entry, MSAL_CLIENT);
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundle,
      nodePaths: [join(PACKAGE_ROOT, 'node_modules')],
      logLevel: 'error',
    });
    const out = jsonLine(compose(['run', '--rm', '-T', '-v', `${bundle}:/app/msal-client.cjs:ro`, '--entrypoint', 'node', 'client', '/app/msal-client.cjs']));
    expect(out).toEqual({
      authority: `https://login.microsoftonline.com/${CONTOSO.tenantId}/`,
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${CONTOSO.tenantId}/`,
      tid: CONTOSO.tenantId,
      appid: CONTOSO.bridge.appId,
      roles: ['Group.Read.All'],
    });
  });
});
