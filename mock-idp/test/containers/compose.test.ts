import { DOCKER, describeWithDocker, docker } from './docker-support.js';
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { ensureApacheImage, ensureHarnessImage } from './harness-image-build.js';

/**
 * Issue 14 §2: the top-level docker-compose.yml, brought up with Debian's docker-compose 1.29 (or
 * `docker compose` v2 where that is what there is), and the mission's flows against the stack's own
 * services. The mock becomes healthy, a client on the host fetches its CA from /_mock/ca.pem and
 * signs in with openid-client verifying TLS against it; Chromium on the host signs in to the
 * bridge service (SSO; then its group sync through Graph) and to the SPA service; the ingestion
 * service got its app-only token, and run again with an expired secret it gets AADSTS7000222; the
 * harness attaches from the host with `--idp-url` and the credential the mock printed; the harness
 * image's `conform` (the `conform` service) runs the catalog against the Apache + mod_auth_openidc
 * service through the stack's mock, with the same verdicts as the README's matrix; `down -v`
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
  let apachePort: number;
  let container: string;
  beforeAll(async () => {
    await ensureMockEntraImage();
    ensureHarnessImage();
    ensureApacheImage();
    port = await freePort();
    bridgePort = await freePort();
    spaPort = await freePort();
    apachePort = await freePort();
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
  const ports = (): NodeJS.ProcessEnv => ({
    MOCK_ENTRA_HOST_PORT: String(port),
    BRIDGE_PORT: String(bridgePort),
    SPA_PORT: String(spaPort),
    APACHE_PORT: String(apachePort),
  });

  it('publishes the mock on 127.0.0.1 only, with its state in a named volume', () => {
    expect(docker(['port', container, '8443/tcp']).trim()).toBe(`127.0.0.1:${port}`);
    const mounts = JSON.parse(docker(['inspect', '--format', '{{json .Mounts}}', container])) as Array<{ Type: string; Name: string; Destination: string }>;
    expect(mounts.map((m) => [m.Type, m.Name, m.Destination])).toEqual([['volume', `${PROJECT}_mock-entra-state`, '/var/lib/mock-entra']]);
  });

  it("runs Apache + mod_auth_openidc on 127.0.0.1 only, as uid 1000, trusting the mock's CA from its state volume (read-only)", async () => {
    const apache = compose(['ps', '-q', 'apache']).trim();
    const mounts = JSON.parse(docker(['inspect', '--format', '{{json .Mounts}}', apache])) as Array<{
      Name?: string;
      Source: string;
      Destination: string;
      RW: boolean;
    }>;
    expect(mounts.map((m) => [m.Name ?? m.Source, m.Destination, m.RW]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
      [join(PACKAGE_ROOT, 'examples', 'targets', 'apache-mod-auth-openidc'), '/site', false],
      [`${PROJECT}_apache-run`, '/tmp/mock-entra-apache', true],
      [`${PROJECT}_mock-entra-state`, '/var/lib/mock-entra', false],
    ]);
    // Apache answers once run.sh started it: / is denied (nothing is signed in there).
    let status = 0;
    for (let i = 0; i < 120 && status === 0; i++) {
      status = await fetch(`http://127.0.0.1:${apachePort}/`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status, compose(['logs', '--no-color', 'apache'])).toBe(404);
    // The port is Apache's on 127.0.0.1 (httpd.conf's Listen), in the host's network: not on any other address.
    const listening = docker(['exec', apache, 'sh', '-c', 'cat /proc/net/tcp']);
    const hex = apachePort.toString(16).toUpperCase().padStart(4, '0');
    expect(
      listening
        .split('\n')
        .filter((l) => l.includes(`:${hex} `) && / 0A /.test(l))
        .map((l) => l.trim().split(/\s+/)[1]),
    ).toEqual([`0100007F:${hex}`]);
    expect(docker(['exec', apache, 'sh', '-c', 'id -u; cmp /var/lib/mock-entra/ca-cert.pem /tmp/mock-entra-apache/ca.pem && echo same-ca'])).toBe(
      '1000\nsame-ca\n',
    );
  }, 120_000);

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

  it("runs the harness image's `conform` against the Apache service through the stack's mock (--control-token): the README matrix's Apache column, reports in the mounted directory", async () => {
    const token = /Authorization: Bearer ([A-Za-z0-9_-]{43})\n/.exec(compose(['logs', '--no-color', 'mock-entra']))![1]!;
    const work = mkdtempSync(join(tmpdir(), 'mock-entra-compose-conform-'));
    try {
      // The shipped target folder, its attached URL moved to this run's Apache port (CONFORM_TARGETS);
      // readable by the image's uid 1000, the reports directory writable by it.
      const targets = join(work, 'targets');
      cpSync(join(PACKAGE_ROOT, 'examples', 'targets', 'apache-mod-auth-openidc'), targets, { recursive: true });
      const file = join(targets, 'target.yaml');
      const yaml = readFileSync(file, 'utf8');
      expect(yaml).toContain('\n  url: http://localhost:8080\n');
      writeFileSync(file, yaml.replace('\n  url: http://localhost:8080\n', `\n  url: http://localhost:${apachePort}\n`));
      const reports = join(work, 'reports');
      mkdirSync(reports);
      chmodSync(work, 0o755);
      chmodSync(targets, 0o755);
      chmodSync(reports, 0o777);
      const v1 = commandExists('docker-compose');
      const run = await execFile(
        v1 ? 'docker-compose' : 'docker',
        [...(v1 ? [] : ['compose']), '-p', PROJECT, 'run', '--rm', 'conform', '--control-token', token],
        {
          cwd: PACKAGE_ROOT,
          maxBuffer: 16 * 1024 * 1024,
          timeout: 1_500_000,
          env: { ...process.env, ...ports(), CONFORM_TARGETS: targets, CONFORM_REPORTS: reports, MOCK_ENTRA_CONTROL_TOKEN: '' },
        },
      ).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
      // Exit 1: mod_auth_openidc misses one check (aud-array-untrusted), a FAIL.
      expect(run.code, run.out).toBe(1);
      const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as {
        target: unknown;
        verdicts: Array<{ scenario: string; verdict: string; kind: string }>;
      };
      expect(results.target).toEqual({
        name: 'apache-mod-auth-openidc',
        library: 'mod_auth_openidc 2.4.12.3 (Debian 12 libapache2-mod-auth-openidc 2.4.12.3-2+deb12u5)',
        mode: 'attached',
      });
      const cell = (v: { verdict: string; kind: string }): string =>
        v.kind === 'pass'
          ? v.verdict.startsWith('pass (skippable')
            ? 'PASS (skippable)'
            : 'PASS'
          : v.kind === 'fail'
            ? 'FAIL'
            : v.kind === 'not-applicable'
              ? 'N/A'
              : 'INCONCLUSIVE';
      const applicable = Object.fromEntries(results.verdicts.filter((v) => v.kind !== 'not-applicable').map((v) => [v.scenario, cell(v)]));
      expect(applicable).toEqual(readmeApacheColumn());
      // Every other scenario of the catalog is not applicable to Apache (the matrix's N/A cells and the
      // rows it leaves out); the summary counts as the README's line for this target does.
      const total = results.verdicts.length;
      expect(results.verdicts.filter((v) => v.kind === 'not-applicable')).toHaveLength(total - Object.keys(applicable).length);
      const counts = readmeApacheCounts();
      const applicableCount = counts.pass + counts.skippable + counts.fail;
      expect(run.out).toContain(
        `\napache-mod-auth-openidc (attached): ${total} scenario(s) — ${counts.pass + counts.skippable} pass, ${counts.fail} fail, ${total - applicableCount} not applicable, 0 inconclusive\n`,
      );
      const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
      expect(junit.match(/<testcase /g)).toHaveLength(total);
      expect(existsSync(join(reports, 'index.html'))).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 1_800_000);

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

/** The README verdict matrix's Apache column, without its N/A cells: scenario → PASS | PASS (skippable) | FAIL. */
function readmeApacheColumn(): Record<string, string> {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- verdict-matrix:start');
  const matrix = readme.slice(start, readme.indexOf('<!-- verdict-matrix:end -->', start));
  const header = matrix.split('\n').find((l) => l.startsWith('| scenario |'))!;
  const column = header
    .split('|')
    .map((c) => c.trim())
    .indexOf('`apache-mod-auth-openidc`');
  expect(column).toBe(2);
  const rows = matrix.split('\n').filter((l) => /^\| `[^`]+\/[^`]+` \|/.test(l));
  return Object.fromEntries(
    rows
      .map((l) => l.split('|').map((c) => c.trim()))
      .filter((c) => c[column] !== 'N/A')
      .map((c) => [c[1]!.replaceAll('`', ''), c[column]!]),
  );
}

/** The README's line for the Apache target under the matrix: "N scenarios — a pass, b pass (skippable), c fail, d not applicable, 0 inconclusive". */
function readmeApacheCounts(): { pass: number; skippable: number; fail: number } {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const m = /^- `apache-mod-auth-openidc` \(.*\): \d+ scenarios — (\d+) pass, (\d+) pass \(skippable\), (\d+) fail, \d+ not applicable, 0 inconclusive$/m.exec(
    readme,
  );
  expect(m, "the README matrix's line for apache-mod-auth-openidc").not.toBeNull();
  const [pass, skippable, fail] = m!.slice(1).map(Number) as [number, number, number];
  return { pass, skippable, fail };
}

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
