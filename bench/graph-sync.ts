/**
 * `npm run bench:graph-sync`: the full member read of issue 17 (every member of every group of the
 * 100,000-user / 20,000-group tenant, paged with `$top=999`) the way a sync tool runs it — the
 * client in its OWN process, an undici Pool with keep-alive (one connection per concurrent reader),
 * the mock in this one, alone in its heap. bench/graph-read.ts runs client and mock on one event
 * loop: there every client cycle (request, JSON.parse of the page) is taken from the mock's thread,
 * which on a 2-core machine hides the second core and doubles what is measured.
 *
 * The same read through `$batch` (20 members requests per batch, next links fed to later batches,
 * as many batches at a time as readers) runs beside it.
 *
 * Each read has its floor measured the same way in the same run: the same client process and
 * concurrency asking a bare Fastify route, in a process of its own, for the very pages the mock
 * served (recorded once, by a client pass over HTTP, into a file), one request per page. Neither
 * the recording nor the floor lives in the mock's process: 278 MB of recorded pages held beside the
 * mock made V8 pretenure the allocations of every answer (Node's own header-and-body string
 * included), so that old space grew by the size of each read and the mock — and a floor in the same
 * process — ran in one of two speeds at random, 1.5× apart.
 * Mock and floor alternate, so load from elsewhere on the machine hits both alike. Figures are
 * medians; each server's CPU time (its own process) is reported beside the wall time, with the
 * mock's garbage collections.
 *
 *   npm run bench:graph-sync                          concurrency 1 and 4, 3 reads each
 *   npm run bench:graph-sync -- --concurrency 1,4,8 --reads 1
 *   npm run bench:graph-sync -- --profile             also writes CPU profiles of the mock (paged and
 *                                                     $batch) and of the floor, each serving one read
 *                                                     (bench/results/graph-sync{,-batch,-floor}.cpuprofile)
 *
 * Prints one line of JSON; writes bench/results/graph-sync.json. No pass/fail (timings never in tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { log, median, round } from './lib/figures.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const RESULTS = join(HERE, 'results', 'graph-sync.json');
const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** What the parent hands the client process. */
interface Job {
  origin: string;
  authorization: string;
  /** Group ids to read (mock, record) — for the floor, only `floorRequests` matters. */
  groups: string[];
  /** The floor: this many requests, /page/0 … /page/{n-1}. */
  floorRequests: number;
  /** Record: the file every page read is written to, one per line. */
  recordTo?: string;
}
interface ReadResult {
  ms: number;
  clientCpuMs: number;
  requests: number;
  memberships: number;
  bytes: number;
}
type ClientMode = 'mock' | 'batch' | 'floor' | 'record';

// =============================================================================================
// Client process: a sync tool's reader.

async function client(mode: ClientMode, concurrency: number, jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as Job;
  // Keep-alive, one connection per reader, no pipelining: what @azure/identity's and the Graph
  // SDK's fetch (undici) do under the hood.
  const pool = new Pool(job.origin, { connections: concurrency, pipelining: 1 });
  const pathPrefix = job.origin.length;
  // Recording: each page as served, a line each (compact JSON holds no newline).
  const recording = mode === 'record' ? createWriteStream(job.recordTo!) : undefined;
  let bytes = 0;
  const get = async (path: string): Promise<{ value: unknown[]; '@odata.nextLink'?: string }> => {
    const r = await pool.request({ method: 'GET', path, headers: { authorization: job.authorization } });
    const text = await r.body.text();
    bytes += Buffer.byteLength(text);
    if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${text.slice(0, 300)}`);
    if (recording && !recording.write(`${text}\n`)) await new Promise<void>((resolve) => recording.once('drain', () => resolve()));
    return JSON.parse(text) as { value: unknown[]; '@odata.nextLink'?: string };
  };
  // Warm-up: connections open, the client's JIT.
  if (mode !== 'record')
    await Promise.all(Array.from({ length: concurrency }, () => get(mode === 'floor' ? '/page/0' : `/v1.0/groups/${job.groups[0]}/members?$top=999`)));
  let next = 0;
  let requests = 0;
  let memberships = 0;
  bytes = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const mockReader = async (): Promise<void> => {
    while (next < job.groups.length) {
      const g = job.groups[next++]!;
      for (let path: string | undefined = `/v1.0/groups/${g}/members?$top=999`; path;) {
        const page = await get(path);
        requests++;
        memberships += page.value.length;
        const link = page['@odata.nextLink'];
        path = link ? link.slice(pathPrefix) : undefined;
      }
    }
  };
  const floorReader = async (): Promise<void> => {
    while (next < job.floorRequests) {
      const page = await get(`/page/${next++}`);
      requests++;
      memberships += page.value.length;
    }
  };
  // Through $batch: 20 members requests per batch; a page's next link goes into a later batch.
  const queue = job.groups.map((g) => `/groups/${g}/members?$top=999`);
  const linkPrefix = `${job.origin}/v1.0`.length;
  const batchReader = async (): Promise<void> => {
    while (queue.length > 0) {
      const take = queue.splice(0, 20);
      const r = await pool.request({
        method: 'POST',
        path: '/v1.0/$batch',
        headers: { authorization: job.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ requests: take.map((url, i) => ({ id: String(i + 1), method: 'GET', url })) }),
      });
      const text = await r.body.text();
      bytes += Buffer.byteLength(text);
      if (r.statusCode !== 200) throw new Error(`$batch: ${r.statusCode} ${text.slice(0, 300)}`);
      const answer = JSON.parse(text) as { responses: Array<{ id: string; status: number; body: { value: unknown[]; '@odata.nextLink'?: string } }> };
      requests++;
      for (const item of answer.responses) {
        if (item.status !== 200) throw new Error(`$batch item ${item.id}: ${item.status}`);
        memberships += item.body.value.length;
        const link = item.body['@odata.nextLink'];
        if (link) queue.push(link.slice(linkPrefix));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, mode === 'floor' ? floorReader : mode === 'batch' ? batchReader : mockReader));
  const c = process.cpuUsage(cpu);
  const result: ReadResult = { ms: performance.now() - started, clientCpuMs: (c.user + c.system) / 1000, requests, memberships, bytes };
  if (recording) await new Promise<void>((resolve) => recording.end(() => resolve()));
  await pool.close();
  console.log(JSON.stringify(result));
}

/** Runs the client process for one read; its last line of output is the ReadResult. */
function runClient(mode: ClientMode, concurrency: number, jobFile: string): Promise<ReadResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--client', mode, '--concurrency', String(concurrency), '--job', jobFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(0, 4000)));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`client ${mode} exited ${code}:\n${stderr}`));
      resolvePromise(JSON.parse(stdout.trim().split('\n').at(-1)!) as ReadResult);
    });
  });
}

// =============================================================================================
// Floor process: a bare Fastify route serving the recorded pages, with its CPU time and a CPU
// profile on request (/__cpu, /__profile/start, /__profile/stop?file=…) for the parent.

async function floorServer(pagesFile: string): Promise<void> {
  const pages = readFileSync(pagesFile, 'utf8').split('\n');
  pages.pop();
  const floor = Fastify();
  floor.get<{ Params: { n: string } }>('/page/:n', (request, reply) => reply.header('content-type', ODATA_JSON).send(pages[Number(request.params.n)]));
  floor.get('/__cpu', async () => process.cpuUsage());
  const session = new Session();
  floor.get('/__profile/start', async () => {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    return {};
  });
  floor.get<{ Querystring: { file: string } }>('/__profile/stop', async (request) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(request.query.file, JSON.stringify(profile));
    session.disconnect();
    return {};
  });
  await floor.listen({ host: '127.0.0.1', port: 0 });
  const address = floor.server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, pages: pages.length }));
}

/** Starts the floor process; resolves with its origin and page count once it listens. */
function startFloor(pagesFile: string): Promise<{ child: ChildProcess; origin: string; pages: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--floor-pages', pagesFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) {
        const { port, pages } = JSON.parse(line) as { port: number; pages: number };
        resolvePromise({ child, origin: `http://127.0.0.1:${port}`, pages });
      }
    });
    child.once('exit', (code) => reject(new Error(`floor exited ${code}`)));
  });
}

// =============================================================================================
// Server process: the mock.

interface Measured extends ReadResult {
  serverCpuMs: number;
  /** Of which in the kernel (socket writes, loopback delivery). */
  serverSysMs: number;
}

async function server(concurrencies: number[], reads: number, profile: boolean): Promise<void> {
  const { SCALE_EXAMPLE_SPEC, scaleExampleSource } = await import('../mock-idp/src/directory/generate-spec.js');
  const { serveWithGraphToken } = await import('./lib/graph-mock.js');
  const work = mkdtempSync(join(tmpdir(), 'mock-entra-graph-sync-'));
  const loadBefore = loadavg();
  let floorChild: ChildProcess | undefined;
  try {
    log(`loading the tenant (${SCALE_EXAMPLE_SPEC.users} users, ${SCALE_EXAMPLE_SPEC.groups} groups)`);
    const specFile = join(work, 'scale-spec.json');
    writeFileSync(specFile, JSON.stringify(scaleExampleSource(SCALE_EXAMPLE_SPEC)));
    const mock = await serveWithGraphToken(specFile, join(work, 'state'));
    const { origin, authorization } = mock;
    const groups: string[] = [];
    for (let next: string | undefined = `${origin}/v1.0/groups?$top=999&$select=id`; next;) {
      const r = await fetch(next, { headers: { authorization } });
      const page = (await r.json()) as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
      groups.push(...page.value.map((g) => g.id));
      next = page['@odata.nextLink'];
    }
    // The floor serves the very pages the mock serves (every page of every group, recorded once by
    // a client pass over HTTP), one per request: the same bytes, the same number of requests — only
    // the Graph engine is missing. (A floor answering one median page each time sends 28 % fewer bytes.)
    log('recording every members page for the floor');
    const mockJob = join(work, 'mock-job.json');
    const recordJob = join(work, 'record-job.json');
    const pagesFile = join(work, 'pages.ndjson');
    writeFileSync(mockJob, JSON.stringify({ origin, authorization, groups, floorRequests: 0 } satisfies Job));
    writeFileSync(recordJob, JSON.stringify({ origin, authorization, groups, floorRequests: 0, recordTo: pagesFile } satisfies Job));
    await runClient('record', 4, recordJob);
    const floor = await startFloor(pagesFile);
    floorChild = floor.child;
    rmSync(pagesFile);
    const floorJob = join(work, 'floor-job.json');
    writeFileSync(floorJob, JSON.stringify({ origin: floor.origin, authorization, groups: [], floorRequests: floor.pages } satisfies Job));
    const floorCpu = async (): Promise<NodeJS.CpuUsage> => (await (await fetch(`${floor.origin}/__cpu`)).json()) as NodeJS.CpuUsage;

    // The mock's garbage collections during each read: the heap is what moved these figures most.
    const gc = { minor: 0, major: 0, ms: 0 };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if ((e as unknown as { detail: { kind: number } }).detail.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
        else gc.major++;
        gc.ms += e.duration;
      }
    }).observe({ entryTypes: ['gc'] });

    const measure = async (mode: 'mock' | 'batch' | 'floor', concurrency: number): Promise<Measured> => {
      Object.assign(gc, { minor: 0, major: 0, ms: 0 });
      const cpu = mode === 'floor' ? await floorCpu() : process.cpuUsage();
      const r = await runClient(mode, concurrency, mode === 'floor' ? floorJob : mockJob);
      const after = mode === 'floor' ? await floorCpu() : process.cpuUsage();
      const c = { user: after.user - cpu.user, system: after.system - cpu.system };
      const heap = round(process.memoryUsage().heapUsed / 2 ** 20);
      if (mode !== 'floor')
        log(`    ${mode === 'batch' ? 'mock ($batch)' : 'mock'} GC: ${gc.minor} minor, ${gc.major} major, ${round(gc.ms)} ms; heap ${heap} MiB`);
      return { ...r, serverCpuMs: (c.user + c.system) / 1000, serverSysMs: c.system / 1000 };
    };
    log('warm-up reads');
    await measure('mock', 4);
    await measure('floor', 4);
    await measure('batch', 4);

    const byConcurrency: Record<string, unknown> = {};
    for (const concurrency of concurrencies) {
      const mock: Measured[] = [];
      const bare: Measured[] = [];
      const batched: Measured[] = [];
      for (let i = 0; i < reads; i++) {
        mock.push(await measure('mock', concurrency));
        bare.push(await measure('floor', concurrency));
        batched.push(await measure('batch', concurrency));
        if (batched[i]!.memberships !== mock[i]!.memberships) throw new Error('the paged and $batch reads disagree');
        log(
          `  ${concurrency} at a time, read ${i + 1}: mock ${round(mock[i]!.ms)} ms (server CPU ${round(mock[i]!.serverCpuMs)}, sys ${round(mock[i]!.serverSysMs)}; client CPU ${round(mock[i]!.clientCpuMs)}; ${mock[i]!.bytes} bytes), floor ${round(bare[i]!.ms)} ms (server CPU ${round(bare[i]!.serverCpuMs)}, sys ${round(bare[i]!.serverSysMs)}; client CPU ${round(bare[i]!.clientCpuMs)}; ${bare[i]!.bytes} bytes); ${mock[i]!.requests} pages, ${mock[i]!.memberships} memberships; $batch ${round(batched[i]!.ms)} ms (server CPU ${round(batched[i]!.serverCpuMs)}; ${batched[i]!.requests} batches)`,
        );
      }
      const m = median(mock.map((x) => x.ms));
      const f = median(bare.map((x) => x.ms));
      byConcurrency[String(concurrency)] = {
        mockMs: round(m),
        mockServerCpuMs: round(median(mock.map((x) => x.serverCpuMs))),
        mockServerSysMs: round(median(mock.map((x) => x.serverSysMs))),
        mockBytes: mock[0]!.bytes,
        mockClientCpuMs: round(median(mock.map((x) => x.clientCpuMs))),
        floorMs: round(f),
        floorServerCpuMs: round(median(bare.map((x) => x.serverCpuMs))),
        floorServerSysMs: round(median(bare.map((x) => x.serverSysMs))),
        floorBytes: bare[0]!.bytes,
        floorClientCpuMs: round(median(bare.map((x) => x.clientCpuMs))),
        ratioToFloor: round(f / m, 2),
        runsMs: mock.map((x) => round(x.ms)),
        floorRunsMs: bare.map((x) => round(x.ms)),
        batchMs: round(median(batched.map((x) => x.ms))),
        batchServerCpuMs: round(median(batched.map((x) => x.serverCpuMs))),
        batchRequests: batched[0]!.requests,
        batchRunsMs: batched.map((x) => round(x.ms)),
        pagedOverBatch: round(m / median(batched.map((x) => x.ms)), 2),
      };
    }

    if (profile) {
      // The mock's profile, and the floor's beside it: what the mock spends beyond serving bytes.
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      const mockFile = join(HERE, 'results', 'graph-sync.cpuprofile');
      const batchFile = join(HERE, 'results', 'graph-sync-batch.cpuprofile');
      for (const [mode, file] of [
        ['mock', mockFile],
        ['batch', batchFile],
      ] as const) {
        await session.post('Profiler.start');
        await measure(mode, 4);
        const { profile: p } = await session.post('Profiler.stop');
        writeFileSync(file, JSON.stringify(p));
      }
      session.disconnect();
      const floorFile = join(HERE, 'results', 'graph-sync-floor.cpuprofile');
      await fetch(`${floor.origin}/__profile/start`);
      await measure('floor', 4);
      await fetch(`${floor.origin}/__profile/stop?file=${encodeURIComponent(floorFile)}`);
      log(`CPU profiles of one read, 4 at a time: ${mockFile} (the mock, paged), ${batchFile} (the mock, $batch), ${floorFile} (the floor)`);
    }

    const results = {
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        node: process.version,
        loadavgBefore: loadBefore.map((x) => round(x, 2)),
        loadavgAfter: loadavg().map((x) => round(x, 2)),
      },
      tenant: { users: SCALE_EXAMPLE_SPEC.users, groups: groups.length },
      client: 'a separate Node process, undici Pool (keep-alive, one connection per reader, no pipelining), JSON.parse of every page',
      floor: 'a bare Fastify route in a process of its own, serving the recorded pages',
      pages: floor.pages,
      reads,
      byConcurrency,
    };
    console.log(JSON.stringify(results));
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    await mock.close();
  } finally {
    floorChild?.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    client: { type: 'string' },
    job: { type: 'string' },
    concurrency: { type: 'string' },
    reads: { type: 'string' },
    profile: { type: 'boolean' },
    'floor-pages': { type: 'string' },
  },
});
if (values.client === 'mock' || values.client === 'batch' || values.client === 'floor' || values.client === 'record') {
  await client(values.client, Number(values.concurrency ?? 4), values.job!);
} else if (values['floor-pages'] !== undefined) {
  await floorServer(values['floor-pages']);
} else {
  const concurrencies = (values.concurrency ?? '1,4').split(',').map(Number);
  if (concurrencies.some((n) => !Number.isInteger(n) || n < 1)) {
    log('--concurrency: a comma-separated list of positive integers, e.g. 1,4');
    process.exit(2);
  }
  const reads = Number(values.reads ?? 3);
  if (!Number.isInteger(reads) || reads < 1) {
    log('--reads: a positive integer');
    process.exit(2);
  }
  await server(concurrencies, reads, values.profile === true);
}
