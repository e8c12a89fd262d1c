import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  checkReachable,
  HtmlReporter,
  PROJECT_ROOT,
  SCENARIO_CONCURRENCY,
  scenarioProjectTest,
  sharedServicesOptions,
  type ScenarioRunSettings,
} from '../harness/src/index.js';

/**
 * What `mock-entra scenarios run` and `mock-entra conform` share: one vitest run of the scenario
 * project (harness/src/vitest/config.ts) through vitest's programmatic API, the report files of
 * their `--reporter` option, and the module runner that imports TypeScript scenario and target
 * files. vitest is an optional peer of the package: imported only when a command needs it.
 */

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const REPORTERS = ['console', 'junit', 'json', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** `--reporter` values (repeatable, comma-separated; default all four), or the names that are not reporters. */
export function parseReporters(given: readonly string[] | undefined): { reporters: ReporterName[]; unknown: string[] } {
  const names = (given ?? [...REPORTERS]).flatMap((r) => r.split(',')).map((r) => r.trim().toLowerCase());
  const isReporter = (r: string): r is ReporterName => (REPORTERS as readonly string[]).includes(r);
  return { reporters: names.filter(isReporter), unknown: names.filter((r) => !isReporter(r)) };
}

/** The options both commands take (node:util parseArgs), each command adding its own. */
export const RUN_OPTIONS = {
  reporter: { type: 'string', multiple: true },
  out: { type: 'string' },
  'idp-url': { type: 'string' },
  'control-token': { type: 'string' },
  ca: { type: 'string' },
  tls: { type: 'boolean' },
  concurrency: { type: 'string' },
  dir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface RunOptionValues {
  reporter?: string[];
  concurrency?: string;
  'idp-url'?: string;
  'control-token'?: string;
  ca?: string;
}

/**
 * The shared options, checked: the reporters, --concurrency, the mock to attach to (--idp-url or
 * MOCK_ENTRA_IDP_URL) and its CA file; or what is wrong with the first bad one (a usage error).
 */
export function checkRunOptions(values: RunOptionValues): { error: string } | { reporters: ReporterName[]; concurrency: number; idpUrl: string | undefined } {
  const { reporters, unknown } = parseReporters(values.reporter);
  if (unknown.length) return { error: `unknown reporter ${unknown.join(', ')} (choose from ${REPORTERS.join(', ')})` };
  const concurrency = values.concurrency === undefined ? SCENARIO_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) return { error: `--concurrency must be a whole number ≥ 1, not '${values.concurrency}'` };
  const idpUrl = values['idp-url'] ?? (process.env.MOCK_ENTRA_IDP_URL || undefined);
  if (idpUrl !== undefined) {
    try {
      if (!['http:', 'https:'].includes(new URL(idpUrl).protocol)) throw new Error('not http(s)');
    } catch {
      return { error: `--idp-url must be the mock's base URL (e.g. https://localhost:8443), not '${idpUrl}'` };
    }
  }
  if (values.ca !== undefined) {
    try {
      if (!readFileSync(values.ca, 'utf8').includes('BEGIN CERTIFICATE')) throw new Error('no PEM certificate in it');
    } catch (e) {
      return { error: `--ca ${values.ca}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
  }
  return { reporters, concurrency, idpUrl };
}

/** The mock the scenarios run against: the one at `idpUrl` (its CA and control credential from the options or the environment), else one the run starts. Throws on a bad CA file. */
export function runServices(values: RunOptionValues, idpUrl: string | undefined, tls: boolean): NonNullable<ScenarioRunSettings['services']> {
  return sharedServicesOptions({
    idpUrl,
    caFile: values.ca ?? process.env.MOCK_ENTRA_CA,
    controlToken: values['control-token'] ?? process.env.MOCK_ENTRA_CONTROL_TOKEN,
    tls,
  });
}

/** Whether the mock to attach to answers (its control API included) before vitest starts: undefined, or why not. */
export async function unreachable(idpUrl: string | undefined, services: ScenarioRunSettings['services']): Promise<string | undefined> {
  if (!idpUrl) return undefined;
  try {
    await checkReachable(idpUrl, services?.caPem, services?.controlToken);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** vitest/node, or an error that says what to install (`command`: the CLI command that needs it). */
export async function importVitest(command: string): Promise<typeof import('vitest/node')> {
  try {
    return await import('vitest/node');
  } catch {
    throw new Error(`${command} needs vitest, playwright-core and openid-client next to it: npm install --save-dev vitest@4.1 playwright-core openid-client`);
  }
}

/** Runs `use` with vitest's module runner as an importer (TypeScript files, as scenario files are imported). */
export async function withVitestImporter<T>(command: string, use: (importer: (file: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const { createVitest } = await importVitest(command);
  const vitest = await createVitest('test', { root: PROJECT_ROOT, config: false, watch: false, reporters: [] });
  try {
    return await use((file) => vitest.import(file));
  } finally {
    await vitest.close();
  }
}

/**
 * The vitest reporter writing a report file into `out` (junit.xml, results.json, index.html), the
 * file added to `written`; undefined for `console`, which each command prints its own way.
 */
export function fileReporter(name: ReporterName, out: string, suiteName: string, written: string[]): unknown {
  switch (name) {
    case 'console':
      return undefined;
    case 'junit':
      written.push(join(out, 'junit.xml'));
      return ['junit', { outputFile: join(out, 'junit.xml'), suiteName }];
    case 'json':
      written.push(join(out, 'results.json'));
      return ['json', { outputFile: join(out, 'results.json') }];
    case 'html':
      written.push(join(out, 'index.html'));
      return new HtmlReporter({ outputFile: join(out, 'index.html'), always: true });
  }
}

/** A report path as the user reads it: relative to the working directory when it is below it. */
export const shown = (f: string): string => (relative(process.cwd(), f).startsWith('..') ? f : relative(process.cwd(), f));

export interface ScenarioVitestRun {
  /** The CLI command, for the message when vitest is not installed. */
  command: string;
  /** The test file that turns scenarios into tests (SCENARIOS_TEST_FILE, CONFORM_TEST_FILE). */
  testFile: string;
  concurrency: number;
  /** Random order (with `seed` when given), or the catalog's. */
  shuffle: boolean;
  seed?: number;
  /** What the global setup and the workers are told, through vitest's `provide` (run-settings.ts). */
  settings: ScenarioRunSettings;
  reporters: unknown[];
  /** Where vitest's own lines go (default: stdout). */
  stdout?: NodeJS.WriteStream;
}

/** One vitest run of the scenario project, in this process (one worker; the scenarios run concurrently inside it). */
export async function startScenarioVitest(run: ScenarioVitestRun): Promise<Awaited<ReturnType<(typeof import('vitest/node'))['startVitest']>>> {
  const { startVitest } = await importVitest(run.command);
  const project = scenarioProjectTest({ include: [run.testFile], concurrency: run.concurrency });
  return startVitest(
    'test',
    [],
    {
      root: PROJECT_ROOT,
      config: false,
      watch: false,
      run: true,
      include: project.include,
      globalSetup: project.globalSetup.map((f) => join(PROJECT_ROOT, f)),
      maxConcurrency: project.maxConcurrency,
      sequence: { shuffle: run.shuffle, ...(run.seed !== undefined ? { seed: run.seed } : {}) },
      testTimeout: project.testTimeout,
      hookTimeout: project.hookTimeout,
      maxWorkers: 1,
      provide: { mockEntraRun: run.settings },
      server: { deps: { inline: project.inline } },
      reporters: run.reporters as never,
    },
    undefined,
    run.stdout ? { stdout: run.stdout } : undefined,
  );
}
