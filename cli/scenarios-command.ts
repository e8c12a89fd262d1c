import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_SCENARIOS_DIR,
  findScenarioFiles,
  loadScenarios,
  matchesFilter,
  SCENARIO_CONCURRENCY,
  SCENARIOS_TEST_FILE,
  scenarioIdentity,
  type LoadedScenario,
  type ScenarioRunSettings,
} from '../harness/src/index.js';
import { parseShard, shardOf, type Shard } from './scenario-shard.js';
import { checkRunOptions, fileReporter, RUN_OPTIONS, runServices, shown, startScenarioVitest, unreachable, withVitestImporter, type Io } from './vitest-run.js';

/**
 * `mock-entra scenarios list | run`: the scenario suite through vitest's programmatic API
 * (vitest/node), with the scenario project's settings (harness/src/vitest/config.ts) — the same
 * tests `npx vitest run --project scenarios` runs.
 */

export type { Io };

export const SCENARIOS_HELP = `mock-entra scenarios — run the scenario suite (scenarios/<flow>/<id>.scenario.ts)

Usage:
  mock-entra scenarios list [FILTER…] [--json] [--shard I/N]
  mock-entra scenarios run  [FILTER…] [options]

FILTER: case-insensitive substrings of <flow>/<id> (e.g. rp-login, group-sync/, secret); none = all.

run options:
  --reporter NAME    console | junit | json | html, repeatable      (default: all four)
  --out DIR          where junit.xml, results.json, index.html and
                     screenshots/ go                                 (reports/scenarios)
  --idp-url URL      attach to a mock started elsewhere (its test-control API
                     must answer us: loopback, or --control-token)  [MOCK_ENTRA_IDP_URL]
  --control-token T  that mock's control credential (a container's)  [MOCK_ENTRA_CONTROL_TOKEN]
  --ca FILE          that mock's CA certificate, when it is HTTPS     [MOCK_ENTRA_CA]
                     (default: NODE_EXTRA_CA_CERTS; \`mock-entra ca\` prints it)
  --tls              start the in-process mock on HTTPS (default: plain HTTP)
  --concurrency N    scenarios at once                                 (${SCENARIO_CONCURRENCY})
  --seed N           shuffle seed, to repeat an order                  (random)
  --dir DIR          scenario files                                    (the shipped catalog)
  --shard I/N        run the I-th of N disjoint parts of the selection (CI
                     machines 1…N together run every scenario once)
  -h, --help
`;

export async function runScenariosCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      return list(rest, io);
    case 'run':
      return run(rest, io);
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      io.stdout(SCENARIOS_HELP);
      return sub === undefined ? 2 : 0;
    default:
      io.stderr(`mock-entra scenarios: unknown subcommand '${sub}'\n\n${SCENARIOS_HELP}`);
      return 2;
  }
}

/** The scenario folder (`--dir`, else the shipped catalog, which always exists), or undefined once its absence is reported. */
function scenarioDir(given: string | undefined, io: Io): string | undefined {
  const dir = resolve(given ?? DEFAULT_SCENARIOS_DIR);
  if (existsSync(dir)) return dir;
  io.stderr(`mock-entra scenarios: no scenario folder ${dir}\n`);
  return undefined;
}

/** Loads scenario files through vitest's module runner (they are TypeScript). */
async function loadWithVitest(dir: string, filters: string[]): Promise<LoadedScenario[]> {
  return withVitestImporter('mock-entra scenarios', (importer) => loadScenarios({ dir, filters, importer }));
}

/** `<flow>/<id>` of every scenario file in `dir`, sorted. */
function scenarioNames(dir: string): string[] {
  return findScenarioFiles(dir)
    .map((file) => scenarioIdentity(file, dir))
    .map((s) => `${s.flow}/${s.id}`)
    .sort();
}

/**
 * The filters a run or a listing goes on with: the user's, or — with `--shard` — the names of
 * that shard's scenarios. Undefined once a problem is reported (the exit code is `code`). Files
 * are matched by name, without loading them: a filter matching nothing is said before vitest starts.
 */
function selection(
  command: 'list' | 'run',
  dir: string,
  filters: string[],
  shardText: string | undefined,
  io: Io,
): { filters: string[]; shard?: { shard: Shard; names: string[]; of: number } } | { code: number } {
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  if (shardText !== undefined && shard === undefined) {
    io.stderr(`mock-entra scenarios ${command}: --shard must be I/N with 1 ≤ I ≤ N (e.g. 2/4), not '${shardText}'\n`);
    return { code: 2 };
  }
  const all = scenarioNames(dir);
  const selected = all.filter((name) => {
    const slash = name.lastIndexOf('/');
    return matchesFilter({ flow: name.slice(0, slash), id: name.slice(slash + 1) }, filters);
  });
  if (selected.length === 0 && filters.length > 0) {
    const quoted = filters.map((f) => `'${f}'`).join(' or ');
    io.stderr(
      `mock-entra scenarios ${command}: no scenario matches ${quoted}${inFolder(dir)}\n\nThe scenarios (a filter is a case-insensitive part of one of these):\n${all.map((n) => `  ${n}`).join('\n')}\n`,
    );
    return { code: 2 };
  }
  if (shard === undefined) return { filters };
  const names = shardOf(selected, shard);
  return { filters: names, shard: { shard, names, of: selected.length } };
}

/** Names the folder in a message when it is not the shipped catalog. */
function inFolder(dir: string): string {
  return dir === resolve(DEFAULT_SCENARIOS_DIR) ? '' : ` in ${dir}`;
}

async function list(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, dir: { type: 'string' }, shard: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    io.stderr(`mock-entra scenarios list: ${(e as Error).message}\n\n${SCENARIOS_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(SCENARIOS_HELP);
    return 0;
  }
  const dir = scenarioDir(values.dir, io);
  if (dir === undefined) return 1;
  const chosen = selection('list', dir, positionals, values.shard, io);
  if ('code' in chosen) return chosen.code;
  // An empty shard lists nothing (loading with no filter would list everything).
  const scenarios = chosen.shard && chosen.filters.length === 0 ? [] : await loadWithVitest(dir, chosen.filters);
  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        scenarios.map((s) => ({
          id: s.id,
          flow: s.flow,
          title: s.title,
          reproduces: s.reproduces,
          file: relative(process.cwd(), s.file),
          steps: s.steps.map((x) => x.label),
          expect: s.expect.map((x) => x.label),
        })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const lines: string[] = [];
  for (const s of scenarios) lines.push(`${s.flow}/${s.id}`, `    ${s.title}`, `    reproduces: ${s.reproduces}`);
  lines.push(
    '',
    `${scenarios.length} scenario(s)${positionals.length ? ` matching ${positionals.join(', ')}` : ''}${chosen.shard ? ` in shard ${chosen.shard.shard.index}/${chosen.shard.shard.count} (of ${chosen.shard.of})` : ''}`,
  );
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

async function run(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { ...RUN_OPTIONS, seed: { type: 'string' }, shard: { type: 'string' } },
    });
  } catch (e) {
    io.stderr(`mock-entra scenarios run: ${(e as Error).message}\n\n${SCENARIOS_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(SCENARIOS_HELP);
    return 0;
  }
  const checked = checkRunOptions(values);
  if ('error' in checked) {
    io.stderr(`mock-entra scenarios run: ${checked.error}\n`);
    return 2;
  }
  const { reporters, concurrency, idpUrl } = checked;
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    io.stderr(`mock-entra scenarios run: --seed must be an integer, not '${values.seed}'\n`);
    return 2;
  }
  const dir = scenarioDir(values.dir, io);
  if (dir === undefined) return 1;
  const chosen = selection('run', dir, positionals, values.shard, io);
  if ('code' in chosen) return chosen.code;
  if (chosen.shard) {
    const { shard, names, of } = chosen.shard;
    io.stdout(`shard ${shard.index}/${shard.count}: ${names.length} of ${of} scenario(s)\n`);
    // More machines than scenarios: this one has nothing to do, which is not a failure.
    if (names.length === 0) return 0;
  }
  const out = resolve(values.out ?? join('reports', 'scenarios'));

  // What the global setup and the workers are told, through vitest's `provide` (run-settings.ts).
  let settings: ScenarioRunSettings;
  try {
    const services = runServices(values, idpUrl, values.tls === true || process.env.MOCK_ENTRA_SCENARIOS_TLS === '1');
    settings = { dir, filters: chosen.filters, reportDir: out, services };
  } catch (e) {
    io.stderr(`mock-entra scenarios run: ${(e as Error).message}\n`);
    return 2;
  }

  // Say it plainly before vitest starts (a global setup failure is printed as an "Unhandled Error").
  const notThere = await unreachable(idpUrl, settings.services);
  if (notThere) {
    io.stderr(`mock-entra scenarios run: ${notThere}\n`);
    return 1;
  }

  const written: string[] = [];
  const vitestReporters: unknown[] = reporters.map((r) => (r === 'console' ? 'default' : fileReporter(r, out, 'mock-entra scenarios', written)));
  // Without a console reporter vitest would print nothing at all: keep a one-line-per-test one.
  if (!reporters.includes('console')) vitestReporters.push('dot');

  const vitest = await startScenarioVitest({
    command: 'mock-entra scenarios',
    testFile: SCENARIOS_TEST_FILE,
    concurrency,
    shuffle: true,
    seed,
    settings,
    reporters: vitestReporters,
  });
  const failed = vitest.state.getCountOfFailedTests();
  const files = vitest.state.getFiles();
  const broken = files.some((f) => f.result?.state === 'fail');
  if (written.length) io.stdout(`\nReports: ${written.map(shown).join(', ')}\n`);
  if (failed > 0 || broken || (process.exitCode ?? 0) !== 0) {
    process.exitCode = 0; // the CLI returns its own code
    return 1;
  }
  return 0;
}
