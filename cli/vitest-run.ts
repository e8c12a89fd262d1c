import { join, relative } from 'node:path';
import { HtmlReporter, PROJECT_ROOT, scenarioProjectTest, type ScenarioRunSettings } from '../harness/src/index.js';

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
