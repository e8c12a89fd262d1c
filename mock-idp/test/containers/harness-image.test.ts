import { describeWithDocker, docker } from './docker-support.js';
import { HARNESS_IMAGE, ensureHarnessImage } from './harness-image-build.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { PACKAGE_ROOT } from '../../src/support/package-root.js';
import { freePort } from '../support/free-port.js';
import { apacheInstalled } from '../third-party/support/apache.js';

/**
 * Issue 14 §1, the conformance harness image (`docker build -f Dockerfile.harness`): a team without
 * Node runs `mock-entra conform` from it against its app and gets the reports in a volume. Here the
 * app is Apache httpd with mod_auth_openidc (examples/targets/apache-mod-auth-openidc), started on
 * the host by its run.sh in attached mode as the target file says; the mock runs on the host too.
 * The container shares the host's network (`--network host`), so the browser inside it and
 * Apache see the same https://localhost:PORT issuer, and the harness is a loopback caller of the
 * mock's control API. The image's verdicts land in the mounted /reports/results.json.
 */

const TARGET_DIR = join(PACKAGE_ROOT, 'examples', 'targets', 'apache-mod-auth-openidc');
// Without Apache the suite is skipped (and says so), except under CI, where that is an error.
const APACHE_INSTALLED = apacheInstalled('the conformance harness image');

interface AttachedTarget {
  app: { appId: string; passwordCredentials: Array<{ secretText: string }> };
  attached: { url: string; tenantId: string; restart?: unknown };
}

function connects(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

(APACHE_INSTALLED ? describeWithDocker : describe.skip)('the conformance harness image', () => {
  let work: string;
  let mock: RunningMockEntra | undefined;
  let apache: ChildProcess | undefined;
  let apacheLog = '';
  beforeAll(async () => {
    ensureHarnessImage();
    work = mkdtempSync(join(tmpdir(), 'mock-entra-harness-image-'));
    mock = await startMockEntra({ port: 0, tls: true, stateDir: join(work, 'state') });

    // The target file as a user adapts it: Apache's port, and no restart hook — the hook in the
    // shipped file signals an Apache by its pid file on the host, which the container cannot reach.
    const target = parseYaml(readFileSync(join(TARGET_DIR, 'target.yaml'), 'utf8')) as AttachedTarget;
    const port = await freePort();
    target.attached.url = `http://localhost:${port}`;
    delete target.attached.restart;
    const targets = join(work, 'targets');
    mkdirSync(targets);
    writeFileSync(join(targets, 'app.yaml'), stringifyYaml(target));
    copyFileSync(mock.caPath!, join(targets, 'ca.pem'));
    // The image runs as uid 1000 (`node`): the targets must be readable by it, the reports
    // directory writable (mkdtemp makes 0700 directories, the CA file is the mock's 0600 copy).
    chmodSync(work, 0o755);
    chmodSync(targets, 0o755);
    chmodSync(join(targets, 'ca.pem'), 0o644);
    mkdirSync(join(work, 'reports'));
    chmodSync(join(work, 'reports'), 0o777);

    apache = spawn('/bin/sh', [join(TARGET_DIR, 'run.sh')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        APACHE_PORT: String(port),
        RUN_DIR: join(work, 'apache'),
        OIDC_METADATA_URL: `${mock.url}/${target.attached.tenantId}/v2.0/.well-known/openid-configuration`,
        OIDC_CLIENT_ID: target.app.appId,
        OIDC_CLIENT_SECRET: target.app.passwordCredentials[0]!.secretText,
        OIDC_CA_BUNDLE: mock.caPath!,
      },
    });
    apache.stdout!.on('data', (d: Buffer) => (apacheLog += d.toString()));
    apache.stderr!.on('data', (d: Buffer) => (apacheLog += d.toString()));
    for (let i = 0; !(await connects(port)); i++) {
      if (apache.exitCode !== null || i > 300) throw new Error(`Apache did not start:\n${apacheLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 1_500_000);
  afterAll(async () => {
    if (apache && apache.exitCode === null) {
      apache.kill('SIGTERM');
      await once(apache, 'exit');
    }
    await mock?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs as node with the CLI as its entry point, Chromium inside, and no key or CA baked in', () => {
    const config = JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config}}', HARNESS_IMAGE])) as { User: string; Entrypoint: string[] };
    expect(config.User).toBe('node');
    expect(config.Entrypoint).toEqual(['node', '/app/dist/cli/main.js']);
    const inside = docker([
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      HARNESS_IMAGE,
      '-c',
      'id -un; chromium --version | cut -d" " -f1; find / -xdev \\( -name ca-cert.pem -o -name signing-key.pem -o -name sealing-key.hex \\) 2>/dev/null | wc -l',
    ]);
    expect(inside).toBe('node\nChromium\n0\n');
  }, 120_000);

  it('`conform` against Apache + mod_auth_openidc (attached): the baseline and three rp-negatives (one it fails), verdicts in /reports/results.json', async () => {
    const reports = join(work, 'reports');
    // As the README shows it; --network host: the app and the mock are on this machine's loopback.
    const run = spawn(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'host',
        '-v',
        `${join(work, 'targets')}:/targets:ro`,
        '-v',
        `${reports}:/reports`,
        HARNESS_IMAGE,
        'conform',
        '/targets/app.yaml',
        'rp-negatives/invalid-nonce',
        'rp-negatives/expired-id-token',
        'rp-negatives/aud-array-untrusted',
        '--mode',
        'attached',
        '--idp-url',
        mock!.url,
        '--ca',
        '/targets/ca.pem',
        '--reporter',
        'console',
        '--reporter',
        'json',
        '--out',
        '/reports',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    run.stdout.on('data', (d: Buffer) => (out += d.toString()));
    run.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(run, 'close')) as [number];
    // Exit 1: mod_auth_openidc misses one check (the target file says so), a FAIL.
    expect(code, out).toBe(1);
    expect(out).toMatch(/^PASS {9}conform\/baseline — pass: signed in/m);
    const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as {
      target: unknown;
      verdicts: Array<{ scenario: string; verdict: string }>;
    };
    expect(results.target).toEqual({
      name: 'apache-mod-auth-openidc',
      library: 'mod_auth_openidc 2.4.12.3 (Debian 12 libapache2-mod-auth-openidc 2.4.12.3-2+deb12u5)',
      mode: 'attached',
    });
    expect(Object.fromEntries(results.verdicts.map((v) => [v.scenario, v.verdict]))).toEqual({
      'conform/baseline': 'pass',
      'rp-negatives/invalid-nonce': 'pass',
      'rp-negatives/expired-id-token': 'pass',
      'rp-negatives/aud-array-untrusted': 'fail',
    });
  }, 600_000);
});
