import { DOCKER, describeWithDocker, docker } from './docker-support.js';
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONTOSO } from '../../src/contoso.js';
import { ensureMockEntraImage } from '../../src/testcontainers.js';
import { PACKAGE_ROOT } from '../../src/support/package-root.js';
import { trustingFetch, verifiedSpki } from '../../src/testing.js';
import { launchBrowserSession } from '../support/pinned-chromium.js';
import { ensureHarnessImage } from './harness-image-build.js';

/**
 * Issue 14 §2: the top-level docker-compose.yml, brought up with Debian's docker-compose 1.29 (or
 * `docker compose` v2 where that is what there is), and the mission's flows against the stack's own
 * services. The mock becomes healthy, a client on the host fetches its CA from /_mock/ca.pem and
 * signs in with openid-client verifying TLS against it; Chromium on the host signs in to the
 * bridge service (SSO; then its group sync through Graph) and to the SPA service; the ingestion
 * service got its app-only token, and run again with an expired secret it gets AADSTS7000222; the
 * harness attaches from the host with `--idp-url` and the credential the mock printed; `down -v`
 * removes the state volume.
 */

const PROJECT = `mock-entra-compose-${process.pid}`;
const execFile = promisify(execFileCb);

function compose(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const v1 = commandExists('docker-compose');
  return execFileSync(v1 ? 'docker-compose' : 'docker', [...(v1 ? [] : ['compose']), '-p', PROJECT, ...args], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 300_000,
    env: { ...process.env, ...env },
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

describeWithDocker('docker-compose.yml', () => {
  let port: number;
  let bridgePort: number;
  let spaPort: number;
  let container: string;
  beforeAll(async () => {
    await ensureMockEntraImage();
    ensureHarnessImage();
    port = await freePort();
    bridgePort = await freePort();
    spaPort = await freePort();
    compose(['up', '-d'], { ...ports(), MOCK_ENTRA_CONTROL_TOKEN: '' });
    container = compose(['ps', '-q', 'mock-entra']).trim();
    for (let i = 0; i < 120; i++) {
      const status = docker(['inspect', '--format', '{{.State.Health.Status}}', container]).trim();
      if (status === 'healthy') return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the compose service did not become healthy:\n${compose(['logs', 'mock-entra'])}`);
  }, 600_000);
  afterAll(() => {
    if (DOCKER) compose(['down', '-v']);
  });
  /** The stack's ports, for every compose command that (re)creates a service. */
  const ports = (): NodeJS.ProcessEnv => ({ MOCK_ENTRA_HOST_PORT: String(port), BRIDGE_PORT: String(bridgePort), SPA_PORT: String(spaPort) });

  it('publishes the mock on 127.0.0.1 only, with its state in a named volume', () => {
    expect(docker(['port', container, '8443/tcp']).trim()).toBe(`127.0.0.1:${port}`);
    const mounts = JSON.parse(docker(['inspect', '--format', '{{json .Mounts}}', container])) as Array<{ Type: string; Name: string; Destination: string }>;
    expect(mounts.map((m) => [m.Type, m.Name, m.Destination])).toEqual([['volume', `${PROJECT}_mock-entra-state`, '/var/lib/mock-entra']]);
  });

  it('signs a client in from the host (openid-client) with the CA fetched from /_mock/ca.pem', async () => {
    const url = `https://localhost:${port}`;
    // The first fetch trusts on first use (nothing else can be trusted yet); what it gets is checked
    // against the file in the container, and everything after verifies TLS against it.
    const caPem = await new Promise<string>((resolve, reject) => {
      httpsRequest(`${url}/_mock/ca.pem`, { rejectUnauthorized: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
        .on('error', reject)
        .end();
    });
    expect(caPem).toBe(docker(['exec', container, 'cat', '/var/lib/mock-entra/ca-cert.pem']));

    const config = await client.discovery(new URL(`${url}/${CONTOSO.tenantId}/v2.0`), CONTOSO.ingestion.appId, CONTOSO.ingestion.secret, undefined, {
      [client.customFetch]: trustingFetch(caPem),
    });
    expect(config.serverMetadata().issuer).toBe(`${url}/${CONTOSO.tenantId}/v2.0`);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' });
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ tid: CONTOSO.tenantId, appid: CONTOSO.ingestion.appId, iss: `https://sts.windows.net/${CONTOSO.tenantId}/` });
  });

  it('prints the generated control credential in its log, and the control API answers the host with it', async () => {
    const logs = compose(['logs', '--no-color', 'mock-entra']);
    const token = /Authorization: Bearer ([A-Za-z0-9_-]{43})\n/.exec(logs)?.[1];
    expect(token).toBeDefined();
    const caPem = docker(['exec', container, 'cat', '/var/lib/mock-entra/ca-cert.pem']);
    const fetchCa = trustingFetch(caPem);
    expect((await fetchCa(`https://localhost:${port}/_mock/health`)).status).toBe(401);
    const r = await fetchCa(`https://localhost:${port}/_mock/health`, { headers: { authorization: `Bearer ${token!}` } });
    expect(await r.json()).toEqual({ status: 'ok', tenants: 1 });
  });

  it('runs the reference bridge against the mock: a browser on the host signs in to it (SSO, group sync)', async () => {
    const url = `https://localhost:${port}`;
    const caPem = docker(['exec', container, 'cat', '/var/lib/mock-entra/ca-cert.pem']);
    // The bridge service waited for the mock to be healthy; it listens once discovery answered it.
    let status = 0;
    for (let i = 0; i < 120 && status !== 200; i++) {
      status = await fetch(`http://localhost:${bridgePort}/api/status`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status, compose(['logs', '--no-color', 'bridge'])).toBe(200);
    const session = await launchBrowserSession(await verifiedSpki(url, caPem), { thirdPartyCookies: 'allow' });
    try {
      const page = await session.context.newPage();
      await page.goto(`http://localhost:${bridgePort}/login`);
      expect(new URL(page.url()).origin).toBe(url);
      await page.fill('input[name="loginfmt"]:not([type="hidden"])', 'AdeleV@contoso.onmicrosoft.com');
      await page.click('#idSIButton9');
      await page.waitForURL(new RegExp(`^http://localhost:${bridgePort}/sso/callback/vc-5f2a9c\\?`));
      await page.waitForSelector('#signed-in');
      // Provisioned from the ID token (groups from its claim), as the bridge's own record says.
      const subject = await page.getAttribute('#signed-in', 'data-subject');
      expect(subject).toBe(CONTOSO.users.adele.id);
      const bridge = `http://localhost:${bridgePort}`;
      expect(await fetch(`${bridge}/api/users/${subject}`).then((r) => r.json())).toMatchObject({
        subject: CONTOSO.users.adele.id,
        attributes: { subject: CONTOSO.users.adele.id, username: CONTOSO.users.adele.upn, email: CONTOSO.users.adele.mail, name: 'Adele Vance' },
        groups: [CONTOSO.groups.engineering],
        groupSource: 'claim',
      });
      // Group sync: the bridge lists the tenant's groups and members through the mock's Graph.
      const sync = (await fetch(`${bridge}/sync`, { method: 'POST' }).then((r) => r.json())) as { ok: boolean; groups: number };
      expect(sync).toMatchObject({ ok: true });
      const { groups } = (await fetch(`${bridge}/api/status`).then((r) => r.json())) as { groups: Array<{ id: string; members: string[] }> };
      expect(groups).toHaveLength(sync.groups);
      expect(groups.find((g) => g.id === CONTOSO.groups.engineering)?.members).toContain(CONTOSO.users.adele.id);
    } finally {
      await session.close();
    }
  }, 180_000);

  it('serves the SPA page against the mock: a browser on the host signs in (code flow + PKCE in the browser)', async () => {
    const url = `https://localhost:${port}`;
    const caPem = docker(['exec', container, 'cat', '/var/lib/mock-entra/ca-cert.pem']);
    const spa = `http://localhost:${spaPort}/`;
    let status = 0;
    for (let i = 0; i < 120 && status !== 200; i++) {
      status = await fetch(spa).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status, compose(['logs', '--no-color', 'spa'])).toBe(200);
    const session = await launchBrowserSession(await verifiedSpki(url, caPem), { thirdPartyCookies: 'allow' });
    try {
      const page = await session.context.newPage();
      await page.goto(spa);
      await page.click('#login');
      await page.fill('input[name="loginfmt"]:not([type="hidden"])', CONTOSO.users.adele.upn);
      await page.click('#idSIButton9');
      await page.waitForSelector('#claims:not(:empty), #error:not(:empty)');
      expect(await page.textContent('#error').catch(() => '')).toBeFalsy();
      const claims = JSON.parse((await page.textContent('#claims'))!) as Record<string, unknown>;
      expect(claims).toMatchObject({
        aud: CONTOSO.openMetadataUi.appId,
        iss: `${url}/${CONTOSO.tenantId}/v2.0`,
        oid: CONTOSO.users.adele.id,
        preferred_username: CONTOSO.users.adele.upn,
      });
    } finally {
      await session.close();
    }
  }, 180_000);

  it('ran the ingestion client once (client credentials, an app-only token); with an expired secret it gets AADSTS7000222', () => {
    const line = (out: string): Record<string, unknown> =>
      JSON.parse(
        out
          .trim()
          .split('\n')
          .pop()!
          .replace(/^[^|{]*\|\s*/, ''),
      ) as Record<string, unknown>;
    for (let i = 0; i < 120 && !compose(['logs', '--no-color', 'ingestion']).includes('{"ok":'); i++) execFileSync('sleep', ['0.5']);
    expect(line(compose(['logs', '--no-color', 'ingestion']))).toMatchObject({
      ok: true,
      claims: {
        aud: CONTOSO.openMetadataUi.apiUri,
        appid: CONTOSO.ingestion.appId,
        tid: CONTOSO.tenantId,
        idtyp: 'app',
        iss: `https://sts.windows.net/${CONTOSO.tenantId}/`,
      },
    });
    // The misconfiguration: the bridge app's secret that expired on 2025-01-01 (fixtures/contoso.yaml).
    let failed: { status: number; stdout: string } | undefined;
    try {
      compose(
        [
          'run',
          '--rm',
          '-e',
          `MOCK_ENTRA_CLIENT_ID=${CONTOSO.bridge.appId}`,
          '-e',
          'MOCK_ENTRA_CLIENT_SECRET=brg8Q~Expired-Secret-Value-For-Local-Dev-01',
          'ingestion',
        ],
        ports(),
      );
    } catch (e) {
      failed = e as { status: number; stdout: string };
    }
    expect(failed?.status).toBe(1);
    expect(line(failed!.stdout)).toMatchObject({ ok: false, error: { phase: 'token', error: 'invalid_client', aadsts: 7000222 } });
  }, 180_000);

  it('lets the harness attach with --idp-url and the control credential (one scenario, the test runner outside the container)', async () => {
    const token = /Authorization: Bearer ([A-Za-z0-9_-]{43})\n/.exec(compose(['logs', '--no-color', 'mock-entra']))![1]!;
    const work = mkdtempSync(join(tmpdir(), 'mock-entra-compose-harness-'));
    try {
      writeFileSync(join(work, 'ca.pem'), docker(['exec', container, 'cat', '/var/lib/mock-entra/ca-cert.pem']));
      const cli = [join(PACKAGE_ROOT, 'cli', 'main.ts'), 'scenarios', 'run', 'sso/rp-login', '--reporter', 'console', '--out', join(work, 'reports')];
      const attach = ['--idp-url', `https://localhost:${port}`, '--ca', join(work, 'ca.pem')];
      const { stdout, stderr } = await execFile(process.execPath, ['--import', import.meta.resolve('tsx'), ...cli, ...attach, '--control-token', token], {
        cwd: work,
        maxBuffer: 8 * 1024 * 1024,
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', MOCK_ENTRA_CONTROL_TOKEN: '' },
      });
      expect(stdout + stderr).toMatch(/Tests\s+1 passed \(1\)/);
      // Without the credential the run stops before vitest starts, and says what to pass.
      const refused = await execFile(process.execPath, ['--import', import.meta.resolve('tsx'), ...cli, ...attach], {
        cwd: work,
        env: { ...process.env, FORCE_COLOR: '0', MOCK_ENTRA_CONTROL_TOKEN: '' },
      }).catch((e: unknown) => e as { code: number; stderr: string });
      expect(refused).toMatchObject({ code: 1 });
      expect((refused as { stderr: string }).stderr).toContain(' — pass its control credential with --control-token TOKEN (or MOCK_ENTRA_CONTROL_TOKEN)\n');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
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
