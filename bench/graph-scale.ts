/**
 * `npm run bench:scale`: the 100,000-user / 20,000-group tenant of issue 3 — generation, load
 * (from a `generate:` spec and from the expanded JSON file), resident memory, YAML vs JSON
 * parsing, and a full paged read of all groups and of all their members through Microsoft Graph
 * on loopback HTTP with an app-only token.
 *
 * Every measurement runs in a fresh process (this file with `--child …`), so one run's heap,
 * JIT warm-up or file cache of modules never flatters the next; each figure is the median of
 * several runs, and the runs of the things compared are interleaved (A B, A B, …) so that load
 * from elsewhere on the machine hits both alike. Load time is from the fixture to serving —
 * createContext (read, parse, resolve, generate, validate, TenantRuntime, TenantDirectory
 * indexes) + buildApp + ready — after the modules are imported. No pass/fail: figures only.
 *
 *   npm run bench:scale                       everything, 5 runs each (reads: 3)
 *   npm run bench:scale -- --runs 3 --reads 1
 *   npm run bench:scale -- --yaml-100k        also parse the 100k tenant as YAML (minutes, GBs)
 *
 * Prints a table, then one line of JSON (bench/run.ts picks it up); writes
 * bench/results/graph-scale.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify as stringifyYaml, parse as parseYaml } from 'yaml';
import { fixtureToJson } from '../mock-idp/src/directory/fixture-json.js';
import { resolveFixture } from '../mock-idp/src/directory/load-fixture.js';
import { SCALE_EXAMPLE_SPEC, SCALE_EXAMPLE_TENANT, scaleExampleSource } from '../mock-idp/src/directory/generate-spec.js';
import { log, median, round } from './lib/figures.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const RESULTS = join(HERE, 'results', 'graph-scale.json');

/** The tenant (the README's example): 100,000 users, 20,000 groups, ~10 memberships per user, every feature on. */
const SPEC = SCALE_EXAMPLE_SPEC;
const TENANT = SCALE_EXAMPLE_TENANT;
const source = scaleExampleSource;

const MiB = 2 ** 20;

// =============================================================================================
// Children: one measurement each, one JSON line on stdout.

interface LoadResult {
  loadMs: number;
  /** CPU time of the load (all threads: V8's concurrent GC too): steadier than wall time on a busy machine. */
  loadCpuMs: number;
  /** Importing the mock's modules (through tsx), before the load's clock starts. */
  importMs: number;
  rssMiB: number;
  heapUsedMiB: number;
  rssAfterGcMiB: number;
  heapUsedAfterGcMiB: number;
  users: number;
  groups: number;
}

async function childLoad(fixture: string): Promise<LoadResult> {
  // Every module a load uses is imported before the clock starts — the fixture reader and the
  // generator (with Faker) are imported on first use by the mock: their import (here through
  // tsx, which transpiles on the fly) is a constant of the code, not of the tenant's size.
  const importStarted = performance.now();
  const { createContext } = await import('../mock-idp/src/server.js');
  const { buildApp } = await import('../mock-idp/src/app.js');
  await import('../mock-idp/src/directory/load-fixture.js');
  await import('../mock-idp/src/directory/generate-tenant.js');
  const importMs = performance.now() - importStarted;
  const stateDir = process.env.BENCH_STATE_DIR!;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const ctx = await createContext({ fixtures: [fixture], stateDir, tls: false, publicUrl: 'http://127.0.0.1:1' }, 1);
  const app = buildApp(ctx);
  await app.ready();
  const loadMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const loaded = process.memoryUsage();
  const { gc } = globalThis as unknown as { gc: () => void }; // --expose-gc
  gc();
  gc();
  const collected = process.memoryUsage();
  const directory = ctx.tenants.get(TENANT.id)!.directory;
  const result = {
    loadMs,
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    importMs,
    rssMiB: loaded.rss / MiB,
    heapUsedMiB: loaded.heapUsed / MiB,
    rssAfterGcMiB: collected.rss / MiB,
    heapUsedAfterGcMiB: collected.heapUsed / MiB,
    users: directory.users.size,
    groups: directory.groups.size,
  };
  ctx.store.close();
  await app.close();
  return result;
}

async function childGenerate(): Promise<{ generateMs: number; fakerImportMs: number }> {
  const started = performance.now();
  const { generateDirectory } = await import('../mock-idp/src/directory/generate-tenant.js');
  const imported = performance.now();
  generateDirectory(SPEC, { domain: TENANT.verifiedDomains[0]! });
  return { fakerImportMs: imported - started, generateMs: performance.now() - imported };
}

async function childParse(format: 'json' | 'yaml', file: string): Promise<{ parseMs: number; rssMiB: number }> {
  const text = readFileSync(file, 'utf8');
  const started = performance.now();
  const doc = (format === 'json' ? JSON.parse(text) : parseYaml(text)) as { tenants: unknown[] };
  const parseMs = performance.now() - started;
  if (doc.tenants.length !== 1) throw new Error('unexpected document');
  return { parseMs, rssMiB: process.memoryUsage().rss / MiB };
}

interface ReadResult {
  groupsMs: number;
  groupsRequests: number;
  groupsRead: number;
  membersMs: number;
  membersRequests: number;
  membershipsRead: number;
  concurrency: number;
}

/**
 * Serves the tenant on loopback HTTP and reads it the way a group sync does: a client-credentials
 * token for the Identity Bridge (Group.Read.All, admin-consented in Contoso), then /v1.0/groups
 * with $top=999 following @odata.nextLink, then every group's /members the same way.
 */
async function childRead(fixture: string, concurrency: number): Promise<ReadResult> {
  const { serveWithGraphToken } = await import('./lib/graph-mock.js');
  const mock = await serveWithGraphToken(fixture, process.env.BENCH_STATE_DIR!);
  const { origin } = mock;
  try {
    const headers = { authorization: mock.authorization };

    /** Every item of a paged collection; counts the requests. */
    let requests = 0;
    const readAll = async (url: string): Promise<Array<{ id: string }>> => {
      const items: Array<{ id: string }> = [];
      for (let next: string | undefined = url; next;) {
        const r: Response = await fetch(next, { headers });
        requests++;
        if (r.status !== 200) throw new Error(`${next}: ${r.status} ${await r.text()}`);
        const page = (await r.json()) as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
        items.push(...page.value);
        next = page['@odata.nextLink'];
      }
      return items;
    };

    const groupsStarted = performance.now();
    const groups = await readAll(`${origin}/v1.0/groups?$top=999`);
    const groupsMs = performance.now() - groupsStarted;
    const groupsRequests = requests;

    requests = 0;
    let memberships = 0;
    let nextGroup = 0;
    const membersStarted = performance.now();
    // A sync reads groups' members a few at a time; `concurrency` workers take the next group.
    const worker = async (): Promise<void> => {
      while (nextGroup < groups.length) {
        const group = groups[nextGroup++]!;
        const members = await readAll(`${origin}/v1.0/groups/${group.id}/members?$top=999`);
        memberships += members.length;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const membersMs = performance.now() - membersStarted;
    return { groupsMs, groupsRequests, groupsRead: groups.length, membersMs, membersRequests: requests, membershipsRead: memberships, concurrency };
  } finally {
    await mock.close();
  }
}

// =============================================================================================
// Parent

function runChild<T>(args: string[], extraNodeArgs: string[] = []): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', ...extraNodeArgs, SELF, '--child', ...args], {
      env: { ...process.env, BENCH_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`child ${args.join(' ')} exited ${code}:\n${stderr}`));
      resolvePromise(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
    });
  });
}

let stateDir = '';

async function graphRoutesPresent(): Promise<boolean> {
  const { createContext } = await import('../mock-idp/src/server.js');
  const { buildApp } = await import('../mock-idp/src/app.js');
  const ctx = await createContext({ stateDir, tls: false });
  const app = buildApp(ctx);
  await app.ready();
  const present = app.hasRoute({ method: 'GET', url: '/v1.0/groups' }) && app.hasRoute({ method: 'GET', url: '/v1.0/groups/:id/members' });
  ctx.store.close();
  await app.close();
  return present;
}

async function parent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      reads: { type: 'string' },
      concurrency: { type: 'string' },
      'yaml-100k': { type: 'boolean' },
      child: { type: 'string' },
    },
    allowPositionals: true,
  });
  const runs = Number(values.runs ?? 5);
  const reads = Number(values.reads ?? 3);
  const concurrency = Number(values.concurrency ?? 4);
  const work = mkdtempSync(join(tmpdir(), 'mock-entra-graph-scale-'));
  stateDir = join(work, 'state');
  const loadavgBefore = loadavg();
  try {
    // Also creates the state directory's keys once, so no measured load pays for RSA key generation.
    const graphReady = await graphRoutesPresent();
    log(`preparing the tenant (${SPEC.users} users, ${SPEC.groups} groups) in ${work}`);
    const specFile = join(work, 'scale-spec.json');
    writeFileSync(specFile, JSON.stringify(source(SPEC)));
    const expanded = await resolveFixture(source(SPEC));
    const jsonFile = join(work, 'scale.json');
    writeFileSync(jsonFile, fixtureToJson(expanded));
    const tenant = expanded.tenants[0]!;
    const memberships = (tenant.groups ?? []).reduce((n, g) => n + (g.members?.length ?? 0), 0);
    // YAML vs JSON at a tenth of the size by default: YAML at 100k users takes minutes and GBs.
    const small = await resolveFixture(source({ ...SPEC, users: 10_000, groups: 2_000, usersInManyGroups: { count: 3, groups: 250 } }));
    const smallJson = join(work, 'small.json');
    const smallYaml = join(work, 'small.yaml');
    writeFileSync(smallJson, fixtureToJson(small));
    writeFileSync(smallYaml, stringifyYaml(small, { lineWidth: 0 }));

    log(`generation × ${runs}`);
    const generation = [];
    for (let i = 0; i < runs; i++) generation.push(await runChild<{ generateMs: number; fakerImportMs: number }>(['generate']));

    log(`load × ${runs}, interleaved: generate spec, expanded JSON file`);
    const fromSpec: LoadResult[] = [];
    const fromJson: LoadResult[] = [];
    for (let i = 0; i < runs; i++) {
      fromSpec.push(await runChild<LoadResult>(['load', specFile]));
      fromJson.push(await runChild<LoadResult>(['load', jsonFile]));
      log(`  run ${i + 1}: spec ${round(fromSpec[i]!.loadMs)} ms, JSON ${round(fromJson[i]!.loadMs)} ms`);
    }

    log(`parse × ${runs}, interleaved: 10k-user tenant as JSON and YAML`);
    const parseJson: number[] = [];
    const parseYamlMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      parseJson.push((await runChild<{ parseMs: number }>(['parse', 'json', smallJson])).parseMs);
      parseYamlMs.push((await runChild<{ parseMs: number }>(['parse', 'yaml', smallYaml])).parseMs);
    }
    let yaml100k: { jsonMs: number; yamlMs: number; yamlRssMiB: number; yamlBytes: number } | undefined;
    if (values['yaml-100k']) {
      log('parse once: the 100k-user tenant as YAML (minutes)');
      const bigYaml = join(work, 'scale.yaml');
      writeFileSync(bigYaml, stringifyYaml(expanded, { lineWidth: 0 }));
      const y = await runChild<{ parseMs: number; rssMiB: number }>(['parse', 'yaml', bigYaml], ['--max-old-space-size=8192']);
      const j = await runChild<{ parseMs: number }>(['parse', 'json', jsonFile]);
      yaml100k = { jsonMs: j.parseMs, yamlMs: y.parseMs, yamlRssMiB: y.rssMiB, yamlBytes: statSync(bigYaml).size };
    }

    let read: ReadResult[] | { waiting: string } = { waiting: 'the Graph endpoints (/v1.0/groups, /v1.0/groups/{id}/members) are not registered yet' };
    if (graphReady) {
      log(`paged read × ${reads} (groups, then members with ${concurrency} at a time)`);
      read = [];
      for (let i = 0; i < reads; i++) {
        const r = await runChild<ReadResult>(['read', jsonFile, String(concurrency)]);
        read.push(r);
        log(`  run ${i + 1}: groups ${round(r.groupsMs)} ms (${r.groupsRequests} pages), members ${round(r.membersMs)} ms (${r.membersRequests} pages)`);
      }
    }

    const summarize = (xs: LoadResult[]) => ({
      medianMs: round(median(xs.map((x) => x.loadMs))),
      runsMs: xs.map((x) => round(x.loadMs)),
      cpuMedianMs: round(median(xs.map((x) => x.loadCpuMs))),
      importMedianMs: round(median(xs.map((x) => x.importMs))),
      rssMiB: round(median(xs.map((x) => x.rssMiB))),
      heapUsedMiB: round(median(xs.map((x) => x.heapUsedMiB))),
      rssAfterGcMiB: round(median(xs.map((x) => x.rssAfterGcMiB))),
      heapUsedAfterGcMiB: round(median(xs.map((x) => x.heapUsedAfterGcMiB))),
    });
    const results = {
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: round(totalmem() / 2 ** 30, 1),
        node: process.version,
        loadavgBefore: loadavgBefore.map((x) => round(x, 2)),
        loadavgAfter: loadavg().map((x) => round(x, 2)),
      },
      tenant: {
        users: tenant.users?.length ?? 0,
        groups: tenant.groups?.length ?? 0,
        memberships,
        spec: SPEC,
        jsonMiB: round(statSync(jsonFile).size / MiB, 1),
      },
      runs,
      generation: {
        medianMs: round(median(generation.map((g) => g.generateMs))),
        runsMs: generation.map((g) => round(g.generateMs)),
        fakerImportMedianMs: round(median(generation.map((g) => g.fakerImportMs))),
      },
      load: { spec: summarize(fromSpec), json: summarize(fromJson) },
      parse: {
        tenant: `${small.tenants[0]!.users!.length} users, ${small.tenants[0]!.groups!.length} groups`,
        jsonMiB: round(statSync(smallJson).size / MiB, 1),
        yamlMiB: round(statSync(smallYaml).size / MiB, 1),
        jsonMedianMs: round(median(parseJson)),
        yamlMedianMs: round(median(parseYamlMs)),
        yamlOverJson: round(median(parseYamlMs) / median(parseJson), 1),
        ...(yaml100k
          ? {
              at100k: {
                jsonMs: round(yaml100k.jsonMs),
                yamlMs: round(yaml100k.yamlMs),
                yamlRssMiB: round(yaml100k.yamlRssMiB),
                yamlMiB: round(yaml100k.yamlBytes / MiB, 1),
              },
            }
          : {}),
      },
      read: Array.isArray(read)
        ? {
            runs: read.length,
            concurrency,
            groups: { medianMs: round(median(read.map((r) => r.groupsMs))), pages: read[0]!.groupsRequests, items: read[0]!.groupsRead },
            members: { medianMs: round(median(read.map((r) => r.membersMs))), pages: read[0]!.membersRequests, items: read[0]!.membershipsRead },
          }
        : read,
    };

    const rows: Array<[string, string, string]> = [
      ['tenant', `${results.tenant.users} users, ${results.tenant.groups} groups, ${memberships} memberships`, `JSON ${results.tenant.jsonMiB} MiB`],
      ['generation (100k/20k)', `${results.generation.medianMs} ms`, `median of ${runs}; Faker import ${results.generation.fakerImportMedianMs} ms`],
      ['load from generate: spec', `${results.load.spec.medianMs} ms`, `CPU ${results.load.spec.cpuMedianMs} ms; runs ${results.load.spec.runsMs.join(', ')}`],
      ['load from JSON file', `${results.load.json.medianMs} ms`, `CPU ${results.load.json.cpuMedianMs} ms; runs ${results.load.json.runsMs.join(', ')}`],
      ['module import (before load, tsx)', `${results.load.json.importMedianMs} ms`, 'the mock, the fixture reader, the generator'],
      [
        'RSS after load (spec / JSON)',
        `${results.load.spec.rssMiB} / ${results.load.json.rssMiB} MiB`,
        `heap used ${results.load.spec.heapUsedMiB} / ${results.load.json.heapUsedMiB} MiB`,
      ],
      [
        'RSS after GC (spec / JSON)',
        `${results.load.spec.rssAfterGcMiB} / ${results.load.json.rssAfterGcMiB} MiB`,
        `heap used ${results.load.spec.heapUsedAfterGcMiB} / ${results.load.json.heapUsedAfterGcMiB} MiB`,
      ],
      [
        `parse ${results.parse.tenant}`,
        `JSON ${results.parse.jsonMedianMs} ms, YAML ${results.parse.yamlMedianMs} ms`,
        `YAML ${results.parse.yamlOverJson}× slower`,
      ],
    ];
    if (results.parse.at100k)
      rows.push([
        'parse 100k tenant',
        `JSON ${results.parse.at100k.jsonMs} ms, YAML ${results.parse.at100k.yamlMs} ms`,
        `YAML RSS ${results.parse.at100k.yamlRssMiB} MiB`,
      ]);
    if ('groups' in results.read) {
      rows.push([
        'read all groups ($top=999)',
        `${results.read.groups.medianMs} ms`,
        `${results.read.groups.pages} pages, ${results.read.groups.items} groups`,
      ]);
      rows.push([
        'read all members ($top=999)',
        `${results.read.members.medianMs} ms`,
        `${results.read.members.pages} pages, ${results.read.members.items} memberships, ${concurrency} groups at a time`,
      ]);
    } else rows.push(['Graph paged reads', 'waiting', results.read.waiting]);
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
    console.log(
      `\nmock-entra at scale — ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}, load average ${results.machine.loadavgBefore[0]} → ${results.machine.loadavgAfter[0]}`,
    );
    for (const r of rows) console.log(`  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`);
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwrote ${resolve(RESULTS)}`);
    console.log(JSON.stringify(results));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// =============================================================================================

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const [mode, ...rest] = process.argv.slice(childIndex + 1);
  const result =
    mode === 'load'
      ? await childLoad(rest[0]!)
      : mode === 'generate'
        ? await childGenerate()
        : mode === 'parse'
          ? await childParse(rest[0] as 'json' | 'yaml', rest[1]!)
          : mode === 'read'
            ? await childRead(rest[0]!, Number(rest[1]))
            : undefined;
  if (result === undefined) throw new Error(`unknown child mode ${mode}`);
  console.log(JSON.stringify(result));
} else {
  await parent();
}
