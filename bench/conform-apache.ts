/**
 * `npm run bench:conform-apache`: how long the scenario catalog takes against Apache httpd with
 * mod_auth_openidc in *attached* mode (issue 12: "against mod_auth_openidc attached (serial)") —
 * one Apache configured once, the target's one tenant re-created before each scenario, scenarios
 * one at a time, as a user runs `mock-entra conform --mode attached` against a server they keep.
 *
 * It starts the mock (HTTPS, in this process), then Apache as the target file's comment says
 * (examples/targets/apache-mod-auth-openidc/run.sh on the `attached.url` port, with the file's
 * tenant, app id and secret), then one `mock-entra conform … --mode attached --idp-url …` process
 * (from the sources, through tsx). Figures: the whole run's wall time, that divided by the number
 * of scenarios, and each scenario's own duration from the JSON report. No pass/fail: figures only.
 *
 *   npm run bench:conform-apache
 *   npm run bench:conform-apache -- rp-negatives/   # only scenarios whose <flow>/<id> contains a filter (nothing written)
 *
 * Prints a table and writes bench/results/conform-apache.json. Needs Debian's apache2 and
 * libapache2-mod-auth-openidc, and the target's port (8080) free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { startMockEntra } from '../mock-idp/src/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_DIR = join(ROOT, 'examples', 'targets', 'apache-mod-auth-openidc');
const TARGET_FILE = join(TARGET_DIR, 'target.yaml');
const RESULTS = join(ROOT, 'bench', 'results', 'conform-apache.json');
/** The RUN_DIR the target's restart hook names (`run.sh restart` signals the Apache started there). */
const APACHE_RUN_DIR = '/tmp/mock-entra-apache';

interface AttachedTarget {
  name: string;
  library?: string;
  app: { appId: string; passwordCredentials?: { secretText?: string }[] };
  attached: { url: string; tenantId: string };
}

interface VitestJson {
  testResults: Array<{ assertionResults: Array<{ title: string; status: string; duration?: number }> }>;
}

interface ConformJson {
  verdicts: Array<{ id: string; flow: string; verdict: { kind: string; reason?: string } }>;
}

/** Stops the bench with a message (the `finally` below still stops Apache and the mock). */
function fail(message: string): never {
  throw new Error(message);
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

async function untilListening(port: number, apache: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await connects(port))) {
    if (apache.exitCode !== null) fail(`Apache exited (${apache.exitCode}); see ${APACHE_RUN_DIR}/error.log`);
    if (Date.now() > deadline) fail(`Apache did not listen on ${port} within 30 s; see ${APACHE_RUN_DIR}/error.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const target = parseYaml(readFileSync(TARGET_FILE, 'utf8')) as AttachedTarget;
  const port = Number(new URL(target.attached.url).port);
  const secret = target.app.passwordCredentials?.[0]?.secretText;
  if (!secret) fail(`${TARGET_FILE}: the app has no secretText`);
  if (!existsSync('/usr/sbin/apache2') || !existsSync('/usr/lib/apache2/modules/mod_auth_openidc.so')) {
    fail('Apache httpd with mod_auth_openidc is not installed: apt-get install apache2 libapache2-mod-auth-openidc');
  }
  if (await connects(port)) fail(`port ${port} (the target's attached.url) is in use: stop what listens there`);

  const stateDir = mkdtempSync(join(tmpdir(), 'mock-entra-bench-conform-state-'));
  const out = mkdtempSync(join(tmpdir(), 'mock-entra-bench-conform-'));
  const mock = await startMockEntra({ port: 0, tls: true, stateDir });
  let apache: ChildProcess | undefined;
  try {
    // Apache configured once, as the target file's comment says; the harness re-creates its tenant.
    apache = spawn('/bin/sh', [join(TARGET_DIR, 'run.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        APACHE_PORT: String(port),
        RUN_DIR: APACHE_RUN_DIR,
        OIDC_METADATA_URL: `${mock.url}/${target.attached.tenantId}/v2.0/.well-known/openid-configuration`,
        OIDC_CLIENT_ID: target.app.appId,
        OIDC_CLIENT_SECRET: secret,
        OIDC_CA_BUNDLE: mock.caPath ?? '',
      },
    });
    await untilListening(port, apache);

    const loadBefore = loadavg()[0]!;
    const started = process.hrtime.bigint();
    let stdout = '';
    const code = await new Promise<number | null>((done) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'cli/main.ts',
          'conform',
          TARGET_FILE,
          ...process.argv.slice(2),
          '--mode',
          'attached',
          '--idp-url',
          mock.url,
          '--ca',
          mock.caPath ?? '',
          '--json',
          '--reporter',
          'json',
          '--out',
          out,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MOCK_ENTRA_IDP_URL: '', FORCE_COLOR: '0' } },
      );
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.once('close', done);
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const jsonStart = stdout.indexOf('\n{');
    if (jsonStart < 0 && !stdout.startsWith('{')) fail(`mock-entra conform exited ${code} without verdicts:\n${stdout}`);
    const verdicts = (JSON.parse(stdout.startsWith('{') ? stdout : stdout.slice(jsonStart + 1)) as ConformJson).verdicts;
    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as VitestJson;
    const durations = new Map(report.testResults.flatMap((f) => f.assertionResults).map((t) => [t.title.split(' — ')[0]!, Math.round(t.duration ?? 0)]));
    const perScenario = verdicts.map((v) => ({
      scenario: `${v.flow}/${v.id}`,
      verdict: v.verdict.kind,
      ms: durations.get(`${v.flow}/${v.id}`) ?? null,
      // Why, for what is not a pass: the figures stay readable without the run's reports.
      ...(v.verdict.kind === 'fail' || v.verdict.kind === 'inconclusive' ? { reason: v.verdict.reason } : {}),
    }));
    const counts: Record<string, number> = {};
    for (const v of verdicts) counts[v.verdict.kind] = (counts[v.verdict.kind] ?? 0) + 1;

    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] },
      target: target.name,
      library: target.library,
      mode: 'attached (serial)',
      scenarios: verdicts.length,
      verdicts: counts,
      wallMs: Math.round(wallMs),
      perScenarioMs: Math.round(wallMs / verdicts.length),
      // Not-applicable scenarios end at once: the time per scenario that actually ran says more.
      perApplicableScenarioMs: Math.round(wallMs / Math.max(1, verdicts.length - (counts['not-applicable'] ?? 0))),
      perScenario,
    };
    // Only a whole-catalog run stands for the catalog: a filtered one leaves the file alone.
    const filtered = process.argv.length > 2;
    if (!filtered) writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    const slowest = [...perScenario].sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0)).slice(0, 5);
    console.log(
      [
        `target: ${result.target} (${result.library}), ${result.mode}`,
        `scenarios: ${result.scenarios} — ${Object.entries(counts)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}`,
        `whole run: ${(wallMs / 1000).toFixed(1)} s; per scenario (wall time ÷ scenarios): ${(result.perScenarioMs / 1000).toFixed(2)} s, per applicable one ${(result.perApplicableScenarioMs / 1000).toFixed(2)} s`,
        `slowest: ${slowest.map((s) => `${s.scenario} ${((s.ms ?? 0) / 1000).toFixed(1)} s`).join(', ')}`,
        filtered ? 'not written (a filtered run)' : `written: ${RESULTS}`,
      ].join('\n'),
    );
  } finally {
    if (apache && apache.exitCode === null) {
      apache.kill('SIGTERM');
      await once(apache, 'exit');
    }
    await mock.close();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench:conform-apache: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
