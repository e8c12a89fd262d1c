/**
 * `npm run bench:graph-sync`: the full member read of issue 17 (every member of every group of the
 * 100,000-user / 20,000-group tenant, paged with `$top=999`) the way a sync tool runs it — the
 * client in its OWN process, an undici Pool with keep-alive (one connection per concurrent reader),
 * the mock in this one. bench/graph-read.ts runs client and mock on one event loop: there every
 * client cycle (request, JSON.parse of the page) is taken from the mock's thread, which on a
 * 2-core machine hides the second core and doubles what is measured.
 *
 * Each read has its floor measured the same way in the same run: the same client process and
 * concurrency asking a bare Fastify route for the very pages the mock served (recorded once), one
 * request per page.
 * Mock and floor alternate, so load from elsewhere on the machine hits both alike. Figures are
 * medians; the server's CPU time (this process) is reported beside the wall time.
 *
 *   npm run bench:graph-sync                          concurrency 1 and 4, 3 reads each
 *   npm run bench:graph-sync -- --concurrency 1,4,8 --reads 1
 *   npm run bench:graph-sync -- --profile             also writes a CPU profile of the mock alone
 *                                                     serving one read (bench/results/graph-sync.cpuprofile)
 *
 * Prints one line of JSON; writes bench/results/graph-sync.json. No pass/fail (timings never in tests).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Pool } from 'undici';

const HERE = dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const RESULTS = join(HERE, 'results', 'graph-sync.json');
const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

/** What the parent hands the client process. */
interface Job {
  origin: string;
  authorization: string;
  /** Group ids to read (mock) — or, for the floor, only their count matters. */
  groups: string[];
  /** The floor: this many requests, /page/0 … /page/{n-1}. */
  floorRequests: number;
}
interface ReadResult {
  ms: number;
  clientCpuMs: number;
  requests: number;
  memberships: number;
  bytes: number;
}

// =============================================================================================
// Client process: a sync tool's reader.

async function client(mode: 'mock' | 'floor', concurrency: number, jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as Job;
  // Keep-alive, one connection per reader, no pipelining: what @azure/identity's and the Graph
  // SDK's fetch (undici) do under the hood.
  const pool = new Pool(job.origin, { connections: concurrency, pipelining: 1 });
  const pathPrefix = job.origin.length;
  let bytes = 0;
  const get = async (path: string): Promise<{ value: unknown[]; '@odata.nextLink'?: string }> => {
    const r = await pool.request({ method: 'GET', path, headers: { authorization: job.authorization } });
    const text = await r.body.text();
    bytes += Buffer.byteLength(text);
    if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${text.slice(0, 300)}`);
    return JSON.parse(text) as { value: unknown[]; '@odata.nextLink'?: string };
  };
  // Warm-up: connections open, the client's JIT.
  await Promise.all(Array.from({ length: concurrency }, () => get(mode === 'mock' ? `/v1.0/groups/${job.groups[0]}/members?$top=999` : '/page/0')));
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
  await Promise.all(Array.from({ length: concurrency }, mode === 'mock' ? mockReader : floorReader));
  const c = process.cpuUsage(cpu);
  const result: ReadResult = { ms: performance.now() - started, clientCpuMs: (c.user + c.system) / 1000, requests, memberships, bytes };
  await pool.close();
  console.log(JSON.stringify(result));
}

function runClient(mode: 'mock' | 'floor', concurrency: number, jobFile: string): Promise<ReadResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--client', mode, '--concurrency', String(concurrency), '--job', jobFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`client ${mode} exited ${code}:\n${stderr}`));
      resolvePromise(JSON.parse(stdout.trim().split('\n').at(-1)!) as ReadResult);
    });
  });
}

// =============================================================================================
// Server process: the mock and the floor.

interface Measured extends ReadResult {
  serverCpuMs: number;
  /** Of which in the kernel (socket writes, loopback delivery). */
  serverSysMs: number;
}

async function server(concurrencies: number[], reads: number, profile: boolean): Promise<void> {
  const { SCALE_EXAMPLE_SPEC, SCALE_EXAMPLE_TENANT, scaleExampleSource } = await import('../mock-idp/src/directory/generate-spec.js');
  const { CONTOSO } = await import('../mock-idp/src/contoso.js');
  const { createContext } = await import('../mock-idp/src/server.js');
  const { buildApp } = await import('../mock-idp/src/app.js');
  const { freePort } = await import('./lib/proc.js');
  const TENANT = SCALE_EXAMPLE_TENANT;
  const work = mkdtempSync(join(tmpdir(), 'mock-entra-graph-sync-'));
  const loadBefore = loadavg();
  try {
    log(`loading the tenant (${SCALE_EXAMPLE_SPEC.users} users, ${SCALE_EXAMPLE_SPEC.groups} groups)`);
    const specFile = join(work, 'scale-spec.json');
    writeFileSync(specFile, JSON.stringify(scaleExampleSource(SCALE_EXAMPLE_SPEC)));
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const ctx = await createContext({ fixtures: [specFile], stateDir: join(work, 'state'), tls: false, publicUrl: origin, port }, port);
    const app = buildApp(ctx);
    await app.listen({ host: '127.0.0.1', port });

    const tokenAnswer = await fetch(`${origin}/${TENANT.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CONTOSO.bridge.appId,
        client_secret: CONTOSO.bridge.secret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    if (tokenAnswer.status !== 200) throw new Error(`token: ${tokenAnswer.status} ${await tokenAnswer.text()}`);
    const authorization = `Bearer ${((await tokenAnswer.json()) as { access_token: string }).access_token}`;
    const groups: string[] = [];
    for (let next: string | undefined = `${origin}/v1.0/groups?$top=999&$select=id`; next;) {
      const r = await fetch(next, { headers: { authorization } });
      const page = (await r.json()) as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
      groups.push(...page.value.map((g) => g.id));
      next = page['@odata.nextLink'];
    }
    // The floor serves the very pages the mock serves (every page of every group, recorded once in
    // process), one per request: the same bytes, the same number of requests — only the Graph
    // engine is missing. (A floor answering one median page each time sends 28 % fewer bytes.)
    log('recording every members page for the floor');
    const recorded: string[] = [];
    for (const g of groups) {
      for (let path: string | undefined = `/v1.0/groups/${g}/members?$top=999`; path;) {
        const r: { statusCode: number; body: string } = await app.inject({ method: 'GET', url: path, headers: { authorization } });
        if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode}`);
        recorded.push(r.body);
        const link: string | undefined = (JSON.parse(r.body) as { '@odata.nextLink'?: string })['@odata.nextLink'];
        path = link ? link.slice(origin.length) : undefined;
      }
    }
    const floor = Fastify();
    floor.get<{ Params: { n: string } }>('/page/:n', (request, reply) => reply.header('content-type', ODATA_JSON).send(recorded[Number(request.params.n)]));
    const floorPort = await freePort();
    await floor.listen({ host: '127.0.0.1', port: floorPort });

    const mockJob = join(work, 'mock-job.json');
    const floorJob = join(work, 'floor-job.json');
    const pages = recorded.length;
    const measure = async (mode: 'mock' | 'floor', concurrency: number): Promise<Measured> => {
      const cpu = process.cpuUsage();
      const r = await runClient(mode, concurrency, mode === 'mock' ? mockJob : floorJob);
      const c = process.cpuUsage(cpu);
      return { ...r, serverCpuMs: (c.user + c.system) / 1000, serverSysMs: c.system / 1000 };
    };
    writeFileSync(mockJob, JSON.stringify({ origin, authorization, groups, floorRequests: 0 } satisfies Job));
    writeFileSync(floorJob, JSON.stringify({ origin: `http://127.0.0.1:${floorPort}`, authorization, groups: [], floorRequests: pages } satisfies Job));
    log('warm-up reads');
    await measure('mock', 4);
    await measure('floor', 4);

    const byConcurrency: Record<string, unknown> = {};
    for (const concurrency of concurrencies) {
      const mock: Measured[] = [];
      const bare: Measured[] = [];
      for (let i = 0; i < reads; i++) {
        mock.push(await measure('mock', concurrency));
        bare.push(await measure('floor', concurrency));
        log(
          `  ${concurrency} at a time, read ${i + 1}: mock ${round(mock[i]!.ms)} ms (server CPU ${round(mock[i]!.serverCpuMs)}, sys ${round(mock[i]!.serverSysMs)}; client CPU ${round(mock[i]!.clientCpuMs)}; ${mock[i]!.bytes} bytes), floor ${round(bare[i]!.ms)} ms (server CPU ${round(bare[i]!.serverCpuMs)}, sys ${round(bare[i]!.serverSysMs)}; client CPU ${round(bare[i]!.clientCpuMs)}; ${bare[i]!.bytes} bytes); ${mock[i]!.requests} pages, ${mock[i]!.memberships} memberships`,
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
      };
    }

    if (profile) {
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
      await measure('mock', 4);
      const { profile: p } = await session.post('Profiler.stop');
      const file = join(HERE, 'results', 'graph-sync.cpuprofile');
      writeFileSync(file, JSON.stringify(p));
      log(`CPU profile of the mock serving one read, 4 at a time: ${file}`);
      session.disconnect();
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
      pages,
      reads,
      byConcurrency,
    };
    console.log(JSON.stringify(results));
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    await floor.close();
    ctx.store.close();
    await app.close();
  } finally {
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
  },
});
if (values.client === 'mock' || values.client === 'floor') {
  await client(values.client, Number(values.concurrency ?? 4), values.job!);
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
