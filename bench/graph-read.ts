/**
 * `npm run bench:graph-read`: how fast Microsoft Graph's hot path serves a group sync, against
 * its floor. In the 100,000-user / 20,000-group tenant of issue 3 (bench/graph-scale.ts builds
 * the same), over loopback HTTP with an app-only token:
 *
 *   page   — one members page (`/groups/{id}/members?$top=999`, 999 items) from the mock, side by
 *            side with a bare Fastify route serving the same bytes (the floor): ratio = floor ÷ mock;
 *   batch  — one `$batch` of 20 members requests (the first page of the 20 largest groups),
 *            side by side with a bare route serving the same batch answer;
 *   full   — every member of every group: paged (`/members?$top=999`, 4 at a time, as
 *            graph-scale.ts reads) and through `$batch` (20 members requests per batch, next
 *            links fed to later batches, 4 batches at a time); its floor: as many requests,
 *            same client and concurrency, to a bare route answering the median group's page.
 *
 * Each pair is also measured in process (Fastify's inject, no sockets) in CPU time, which other
 * work on the machine moves far less than wall time. The measurements alternate (mock, floor,
 * mock, floor…) so load from elsewhere on the machine hits both alike; figures are medians. No pass/fail: figures only (timings never in tests).
 *
 *   npm run bench:graph-read                    5 rounds of 200 pages, 3 full reads each way
 *   npm run bench:graph-read -- --rounds 3 --pages 100 --full 1
 *   npm run bench:graph-read -- --profile       also writes a CPU profile of one paged full read
 *
 * Prints a table and one line of JSON; writes bench/results/graph-read.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { SCALE_EXAMPLE_SPEC, SCALE_EXAMPLE_TENANT, scaleExampleSource } from '../mock-idp/src/directory/generate-spec.js';
import { serveWithGraphToken } from './lib/graph-mock.js';
import { freePort } from './lib/proc.js';
import { log, median, round } from './lib/figures.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results', 'graph-read.json');
const TENANT = SCALE_EXAMPLE_TENANT;
const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

interface Page {
  value: Array<{ id: string }>;
  '@odata.nextLink'?: string;
}
/** A full read: wall time, and CPU time of this process (client and mock: steadier on a busy machine). */
interface FullRead {
  ms: number;
  cpuMs: number;
  requests: number;
  memberships: number;
}
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

interface BatchAnswer {
  responses: Array<{ id: string; status: number; body: Page }>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, pages: { type: 'string' }, full: { type: 'string' }, profile: { type: 'boolean' } },
  });
  const rounds = Number(values.rounds ?? 5);
  const pages = Number(values.pages ?? 200);
  const fullRuns = Number(values.full ?? 3);
  const work = mkdtempSync(join(tmpdir(), 'mock-entra-graph-read-'));
  try {
    log(`loading the tenant (${SCALE_EXAMPLE_SPEC.users} users, ${SCALE_EXAMPLE_SPEC.groups} groups)`);
    const specFile = join(work, 'scale-spec.json');
    writeFileSync(specFile, JSON.stringify(scaleExampleSource(SCALE_EXAMPLE_SPEC)));
    const mock = await serveWithGraphToken(specFile, join(work, 'state'));
    const { origin, ctx, app } = mock;
    const headers = { authorization: mock.authorization };
    const get = async (url: string): Promise<Page> => {
      const r = await fetch(url, { headers });
      if (r.status !== 200) throw new Error(`${url}: ${r.status} ${await r.text()}`);
      return (await r.json()) as Page;
    };
    const postBatch = async (url: string, requests: unknown[]): Promise<BatchAnswer> => {
      const r = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
      if (r.status !== 200) throw new Error(`${url}: ${r.status} ${await r.text()}`);
      return (await r.json()) as BatchAnswer;
    };

    // Every group (a sync's first step), and the 20 largest: the largest's first members page is full (999).
    const groups: string[] = [];
    for (let next: string | undefined = `${origin}/v1.0/groups?$top=999&$select=id`; next;) {
      const page = await get(next);
      groups.push(...page.value.map((g) => g.id));
      next = page['@odata.nextLink'];
    }
    const directory = ctx.tenants.get(TENANT.id)!.directory;
    const size = (g: string): number => directory.groups.get(g)?.members?.length ?? 0;
    const big = [...groups].sort((a, b) => size(b) - size(a)).slice(0, 20);
    if (size(big[0]!) < 999) throw new Error('the tenant has no group of 999 members or more');
    const pageUrl = `${origin}/v1.0/groups/${big[0]}/members?$top=999`;
    const batchRequests = big.map((g, i) => ({ id: String(i + 1), method: 'GET', url: `/groups/${g}/members?$top=999` }));

    // The floor: a bare Fastify on its own port serving the same bytes.
    const pageBytes = await (await fetch(pageUrl, { headers })).text();
    const batchBytes = JSON.stringify(await postBatch(`${origin}/v1.0/$batch`, batchRequests));
    // The median group's members page: what the floor answers to every request of a full read.
    const median50 = [...groups].sort((a, b) => size(a) - size(b))[groups.length >> 1]!;
    const typicalBytes = await (await fetch(`${origin}/v1.0/groups/${median50}/members?$top=999`, { headers })).text();
    const floor = Fastify();
    floor.get('/page', (_req, reply) => reply.header('content-type', ODATA_JSON).send(pageBytes));
    floor.get('/typical/:n', (_req, reply) => reply.header('content-type', ODATA_JSON).send(typicalBytes));
    floor.post('/batch', (_req, reply) => reply.header('content-type', ODATA_JSON).send(batchBytes));
    const floorPort = await freePort();
    await floor.listen({ host: '127.0.0.1', port: floorPort });
    const floorOrigin = `http://127.0.0.1:${floorPort}`;

    const timeEach = async (n: number, call: () => Promise<unknown>): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < n; i++) await call();
      return (performance.now() - started) / n;
    };
    const pageMs = { mock: [] as number[], floor: [] as number[] };
    const batchMs = { mock: [] as number[], floor: [] as number[] };
    const batches = Math.max(1, Math.round(pages / 20));
    // Warm-up: the JIT, the index, the cached JSON of every member.
    await timeEach(50, () => get(pageUrl));
    await timeEach(50, () => get(`${floorOrigin}/page`));
    await timeEach(5, () => postBatch(`${origin}/v1.0/$batch`, batchRequests));
    await timeEach(5, () => postBatch(`${floorOrigin}/batch`, batchRequests));
    for (let r = 0; r < rounds; r++) {
      pageMs.mock.push(await timeEach(pages, () => get(pageUrl)));
      pageMs.floor.push(await timeEach(pages, () => get(`${floorOrigin}/page`)));
      batchMs.mock.push(await timeEach(batches, () => postBatch(`${origin}/v1.0/$batch`, batchRequests)));
      batchMs.floor.push(await timeEach(batches, () => postBatch(`${floorOrigin}/batch`, batchRequests)));
      log(
        `  round ${r + 1}: page ${round(pageMs.mock[r]!, 3)} ms (floor ${round(pageMs.floor[r]!, 3)}), $batch of 20 ${round(batchMs.mock[r]!, 2)} ms (floor ${round(batchMs.floor[r]!, 2)})`,
      );
    }

    // The same two answers in process (Fastify's inject, no sockets), in CPU time: on a machine
    // other work keeps busy, CPU time moves far less than wall time.
    const injectCpu = async (n: number, call: () => Promise<unknown>): Promise<number> => {
      const c = process.cpuUsage();
      for (let i = 0; i < n; i++) await call();
      return cpuMs(c) / n;
    };
    const pagePath = pageUrl.slice(origin.length);
    const batchPayload = JSON.stringify({ requests: batchRequests });
    const injectPage = () => app.inject({ method: 'GET', url: pagePath, headers });
    const injectBatch = () =>
      app.inject({ method: 'POST', url: '/v1.0/$batch', headers: { ...headers, 'content-type': 'application/json' }, payload: batchPayload });
    const floorPage = () => floor.inject({ method: 'GET', url: '/page' });
    const floorBatch = () => floor.inject({ method: 'POST', url: '/batch', headers: { 'content-type': 'application/json' }, payload: batchPayload });
    const cpu = { page: { mock: [] as number[], floor: [] as number[] }, batch: { mock: [] as number[], floor: [] as number[] } };
    for (let r = 0; r < rounds; r++) {
      cpu.page.mock.push(await injectCpu(pages, injectPage));
      cpu.page.floor.push(await injectCpu(pages, floorPage));
      cpu.batch.mock.push(await injectCpu(batches, injectBatch));
      cpu.batch.floor.push(await injectCpu(batches, floorBatch));
    }

    /** Every member of every group, paged, `concurrency` groups at a time. */
    const pagedRead = async (concurrency = 4): Promise<FullRead> => {
      let next = 0;
      let requests = 0;
      let memberships = 0;
      const started = performance.now();
      const cpu = process.cpuUsage();
      const worker = async (): Promise<void> => {
        while (next < groups.length) {
          const g = groups[next++]!;
          for (let url: string | undefined = `${origin}/v1.0/groups/${g}/members?$top=999`; url;) {
            const page = await get(url);
            requests++;
            memberships += page.value.length;
            url = page['@odata.nextLink'];
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { ms: performance.now() - started, cpuMs: cpuMs(cpu), requests, memberships };
    };
    /** The floor of a paged read: as many requests, the same client and concurrency, each answered with the median group's page. */
    const floorRead = async (requests: number, concurrency = 4): Promise<FullRead> => {
      let next = 0;
      let memberships = 0;
      const started = performance.now();
      const cpu = process.cpuUsage();
      const worker = async (): Promise<void> => {
        while (next < requests) {
          const page = await get(`${floorOrigin}/typical/${next++}`);
          memberships += page.value.length;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { ms: performance.now() - started, cpuMs: cpuMs(cpu), requests, memberships };
    };
    /** The same through $batch: 20 members requests per batch; a page's next link goes into a later batch. */
    const batchRead = async (concurrency = 4): Promise<FullRead> => {
      const queue = groups.map((g) => `/groups/${g}/members?$top=999`);
      let requests = 0;
      let memberships = 0;
      const started = performance.now();
      const cpu = process.cpuUsage();
      const worker = async (): Promise<void> => {
        while (queue.length > 0) {
          const take = queue.splice(0, 20);
          const answer = await postBatch(
            `${origin}/v1.0/$batch`,
            take.map((url, i) => ({ id: String(i + 1), method: 'GET', url })),
          );
          requests++;
          for (const item of answer.responses) {
            if (item.status !== 200) throw new Error(`batch item ${item.id}: ${item.status}`);
            memberships += item.body.value.length;
            const link = item.body['@odata.nextLink'];
            if (link) queue.push(link.slice(`${origin}/v1.0`.length));
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { ms: performance.now() - started, cpuMs: cpuMs(cpu), requests, memberships };
    };

    const paged: FullRead[] = [];
    const batched: FullRead[] = [];
    const floored: FullRead[] = [];
    for (let r = 0; r < fullRuns; r++) {
      paged.push(await pagedRead());
      batched.push(await batchRead());
      floored.push(await floorRead(paged[r]!.requests));
      log(
        `  full read ${r + 1}: floor ${round(floored[r]!.ms)} ms (CPU ${round(floored[r]!.cpuMs)} ms), paged ${round(paged[r]!.ms)} ms (CPU ${round(paged[r]!.cpuMs)} ms, ${paged[r]!.requests} pages), $batch ${round(batched[r]!.ms)} ms (CPU ${round(batched[r]!.cpuMs)} ms, ${batched[r]!.requests} batches), ${paged[r]!.memberships} memberships`,
      );
      if (paged[r]!.memberships !== batched[r]!.memberships) throw new Error('the two reads disagree');
    }

    if (values.profile) {
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      await pagedRead();
      const { profile } = await session.post('Profiler.stop');
      const file = join(HERE, 'results', 'graph-read.cpuprofile');
      writeFileSync(file, JSON.stringify(profile));
      log(`CPU profile of a paged full read: ${file}`);
      session.disconnect();
    }

    const results = {
      date: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
      tenant: { users: SCALE_EXAMPLE_SPEC.users, groups: groups.length },
      page: {
        items: 999,
        bytes: Buffer.byteLength(pageBytes),
        mockMs: round(median(pageMs.mock), 3),
        floorMs: round(median(pageMs.floor), 3),
        ratioToFloor: round(median(pageMs.floor) / median(pageMs.mock), 2),
      },
      batch: {
        requests: 20,
        bytes: Buffer.byteLength(batchBytes),
        mockMs: round(median(batchMs.mock), 2),
        floorMs: round(median(batchMs.floor), 2),
        ratioToFloor: round(median(batchMs.floor) / median(batchMs.mock), 2),
      },
      inProcessCpu: {
        pageMockMs: round(median(cpu.page.mock), 3),
        pageFloorMs: round(median(cpu.page.floor), 3),
        pageRatioToFloor: round(median(cpu.page.floor) / median(cpu.page.mock), 2),
        batchMockMs: round(median(cpu.batch.mock), 2),
        batchFloorMs: round(median(cpu.batch.floor), 2),
        batchRatioToFloor: round(median(cpu.batch.floor) / median(cpu.batch.mock), 2),
      },
      fullRead: {
        memberships: paged[0]!.memberships,
        pagedMs: round(median(paged.map((p) => p.ms))),
        pagedCpuMs: round(median(paged.map((p) => p.cpuMs))),
        pagedRequests: paged[0]!.requests,
        batchMs: round(median(batched.map((b) => b.ms))),
        batchCpuMs: round(median(batched.map((b) => b.cpuMs))),
        floorMs: round(median(floored.map((f) => f.ms))),
        floorCpuMs: round(median(floored.map((f) => f.cpuMs))),
        floorPageBytes: Buffer.byteLength(typicalBytes),
        batchRequests: batched[0]!.requests,
      },
    };
    console.log(
      [
        '',
        `members page (999 items, ${results.page.bytes} bytes): mock ${results.page.mockMs} ms, floor ${results.page.floorMs} ms → ${results.page.ratioToFloor}× the floor`,
        `$batch of 20 pages (${results.batch.bytes} bytes): mock ${results.batch.mockMs} ms, floor ${results.batch.floorMs} ms → ${results.batch.ratioToFloor}× the floor`,
        `in process, CPU per answer: page ${results.inProcessCpu.pageMockMs} ms (floor ${results.inProcessCpu.pageFloorMs}) → ${results.inProcessCpu.pageRatioToFloor}×; $batch ${results.inProcessCpu.batchMockMs} ms (floor ${results.inProcessCpu.batchFloorMs}) → ${results.inProcessCpu.batchRatioToFloor}×`,
        `every member of ${groups.length} groups (${results.fullRead.memberships} memberships): paged ${results.fullRead.pagedMs} ms (CPU ${results.fullRead.pagedCpuMs} ms, ${results.fullRead.pagedRequests} pages), $batch ${results.fullRead.batchMs} ms (CPU ${results.fullRead.batchCpuMs} ms, ${results.fullRead.batchRequests} batches); floor (as many requests to a bare route, the median group's ${results.fullRead.floorPageBytes}-byte page each) ${results.fullRead.floorMs} ms (CPU ${results.fullRead.floorCpuMs} ms)`,
      ].join('\n'),
    );
    console.log(JSON.stringify(results));
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    await floor.close();
    await mock.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
