/**
 * `npm run bench:container`: the mock's container image next to `npm start` (issue 14 §1: the
 * container's cold start to the first discovery within 1.5× of `npm start`'s).
 *
 * - the image's size (`docker image inspect`, uncompressed);
 * - cold start to the first 200 on the default tenant's discovery document, polled every 10 ms
 *   over HTTPS: from `docker run` (a new container, its state volume empty: it makes its CA, TLS
 *   certificate, signing and sealing keys) and from `node dist/cli/main.js serve` (what `npm
 *   start` runs, minus npm's own start-up; a new empty state directory, so it makes the same). The
 *   median of `--runs` runs each (default 5), alternated. No pass/fail: figures only.
 *
 *   npm run bench:container
 *   npm run bench:container -- --runs 3 --image mock-entra:0.1.0
 *
 * Needs a Docker daemon with the image (`docker build -t mock-entra:<version> .`) and `npm run
 * build`. Prints a table and writes bench/results/container-start.json.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib/figures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results', 'container-start.json');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const DISCOVERY = '/8bfd947c-c312-4845-9b33-df79185f9499/v2.0/.well-known/openid-configuration';

const { values } = parseArgs({ options: { runs: { type: 'string' }, image: { type: 'string' } } });
const runs = Number(values.runs ?? 5);
const image = values.image ?? `mock-entra:${VERSION}`;
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`bench:container: --runs must be a whole number ≥ 1, not '${values.runs}'`);
  process.exit(2);
}

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: 'pipe' });
}

try {
  docker(['image', 'inspect', image]);
} catch {
  console.error(`bench:container: no image ${image} (docker build -t ${image} .), or no Docker daemon`);
  process.exit(1);
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? done(a.port) : fail(new Error('no port'))));
    });
  });
}

/** The first 200 on discovery; TLS is not verified here (the CA does not exist before the start being timed). */
function discoveryAnswers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: DISCOVERY, servername: 'localhost', rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.once('end', () => done(res.statusCode === 200));
    });
    req.once('error', () => done(false));
    req.end();
  });
}

async function untilDiscovery(port: number, started: bigint, deadlineMs = 60_000): Promise<number> {
  for (;;) {
    if (await discoveryAnswers(port)) return Number(process.hrtime.bigint() - started) / 1e6;
    if (Number(process.hrtime.bigint() - started) / 1e6 > deadlineMs) throw new Error(`no discovery on port ${port} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function containerStart(): Promise<number> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const id = docker(['run', '-d', '-p', `127.0.0.1:${port}:8443`, '-e', `MOCK_ENTRA_PUBLIC_URL=https://localhost:${port}`, image]).trim();
  try {
    return await untilDiscovery(port, started);
  } finally {
    docker(['rm', '-f', '-v', id]);
  }
}

async function npmStart(): Promise<number> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'mock-entra-bench-start-'));
  const started = process.hrtime.bigint();
  const child: ChildProcess = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--port', String(port), '--state-dir', stateDir], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  try {
    return await untilDiscovery(port, started);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const container: number[] = [];
const local: number[] = [];
for (let i = 0; i < runs; i++) {
  local.push(await npmStart());
  container.push(await containerStart());
}
const sizeBytes = Number(docker(['image', 'inspect', '--format', '{{.Size}}', image]).trim());
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
  image,
  imageSizeBytes: sizeBytes,
  imageSizeMB: Math.round(sizeBytes / 1e6),
  runs,
  coldStartToDiscoveryMs: {
    container: { median: Math.round(median(container)), runs: container.map(Math.round) },
    npmStart: { median: Math.round(median(local)), runs: local.map(Math.round) },
  },
  ratio: Number((median(container) / median(local)).toFixed(2)),
};
writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
console.log(`| measure | container (${image}) | npm start | ratio |`);
console.log('| --- | --- | --- | --- |');
console.log(`| image size | ${result.imageSizeMB} MB | — | — |`);
console.log(
  `| cold start to the first 200 on discovery (median of ${runs}) | ${result.coldStartToDiscoveryMs.container.median} ms | ${result.coldStartToDiscoveryMs.npmStart.median} ms | ${result.ratio}× |`,
);
