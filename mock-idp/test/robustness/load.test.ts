import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createContext } from '../../src/server.js';
import type { MockContext } from '../../src/context.js';
import { CONTOSO } from '../../src/contoso.js';
import { MemoryStore } from '../../src/store/short-lived-store.js';

/**
 * Load: a sign-in's requests (discovery, authorize, code redemption, refresh, client credentials,
 * JWKS) from a separate process, first flat out to find the maximum, then for LOAD_SECONDS
 * (60 by default, as issue 5 asks) at 80 % of it. Every answer must be the expected one, the
 * heap must stay flat, and the short-lived state (authorization codes) must expire and be freed.
 *
 * Codes are kept for 15 minutes of real time in production (their protocol lifetime is 10 minutes
 * of tenant time); here the store caps that at CODE_TTL_MS, so a minute of load reaches the
 * steady state — codes expiring as fast as they are issued — and the test can watch it drain.
 */
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CODE_TTL_MS = 4_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMiB = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

class ShortTtlStore extends MemoryStore {
  override put<T>(key: string, value: T, ttlMs: number): Promise<void> {
    return super.put(key, value, Math.min(ttlMs, CODE_TTL_MS));
  }
}

interface LoadResult {
  requests: number;
  rps: number;
  cycles: number;
  unexpected: number;
  errors: number;
  timeouts: number;
  latencyP99: number;
  sample: string[];
}

let ctx: MockContext;
let app: FastifyInstance;
let base: string;

function load(duration: number, rate?: number): Promise<LoadResult> {
  const spec = {
    base,
    tenant: CONTOSO.tenantId,
    bridge: CONTOSO.bridge,
    ingestion: CONTOSO.ingestion,
    apiScope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
    upn: CONTOSO.users.adele.upn,
    connections: 16,
    duration,
    ...(rate ? { rate } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('./support/load-child.mjs', import.meta.url).pathname, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult);
      } catch (e) {
        reject(new Error(`load generator failed (${(e as Error).message}): ${err}${out}`));
      }
    });
  });
}

beforeAll(async () => {
  ctx = await createContext({ tls: false, publicUrl: 'http://127.0.0.1' });
  ctx.store.close();
  ctx.store = new ShortTtlStore(500);
  app = buildApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  ctx?.store.close();
  await app?.close();
});

describe('load', () => {
  it(
    `runs ${LOAD_SECONDS} s at 80 % of the measured maximum with no unexpected answer, a flat heap, and codes freed`,
    async () => {
      // The maximum, flat out (this warms the JIT up too).
      const max = await load(8);
      expect(max.unexpected + max.errors + max.timeouts, max.sample.join('\n')).toBe(0);
      const rate = Math.max(6, Math.floor(max.rps * 0.8));
      const heapBefore = heapMiB();

      // The run itself, with the heap read (after a forced GC) once the steady state is reached and at the end.
      const samples: Array<{ at: number; heap: number; codes: number }> = [];
      const started = Date.now();
      const sampler = setInterval(
        () => samples.push({ at: (Date.now() - started) / 1000, heap: process.memoryUsage().heapUsed / 2 ** 20, codes: ctx.store.size() }),
        1000,
      );
      let steady = NaN;
      const steadyTimer = setTimeout(() => (steady = heapMiB()), Math.min(15, LOAD_SECONDS / 3) * 1000);
      const run = await load(LOAD_SECONDS, rate);
      clearInterval(sampler);
      clearTimeout(steadyTimer);
      const heapAtEnd = heapMiB();

      const report = `max ${max.rps.toFixed(0)} req/s; ran ${run.rps.toFixed(0)} req/s (target ${rate}), ${run.cycles} sign-in cycles, p99 ${run.latencyP99} ms; heap ${heapBefore.toFixed(1)} → ${steady.toFixed(1)} (steady) → ${heapAtEnd.toFixed(1)} MiB; codes held ≤ ${Math.max(0, ...samples.map((s) => s.codes))}`;
      expect(run.unexpected, `${report}\n${run.sample.join('\n')}`).toBe(0);
      expect(run.errors + run.timeouts, report).toBe(0);
      // It really ran under load (a CI machine busy with other tests may slow it, hence the margin).
      expect(run.rps, report).toBeGreaterThan(rate * 0.3);
      // Flat: from the steady state to the end, and overall, the live heap moves by a few MiB at most.
      if (Number.isFinite(steady)) expect(heapAtEnd - steady, report).toBeLessThan(16);
      expect(heapAtEnd - heapBefore, report).toBeLessThan(32);

      // Short-lived state: once the load stops, every code expires and is swept away.
      const deadline = Date.now() + CODE_TTL_MS + 3_000;
      while (ctx.store.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(ctx.store.size(), report).toBe(0);
      console.log(`load: ${report}`);
    },
    (LOAD_SECONDS + 60) * 1000,
  );
});
