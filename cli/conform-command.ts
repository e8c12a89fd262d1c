import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CONFORM_TEST_FILE,
  DEFAULT_SCENARIOS_DIR,
  loadTargetFile,
  SCENARIO_CONCURRENCY,
  TargetFileError,
  VerdictReporter,
  verdictSummary,
  type LoadedTarget,
  type ScenarioRunSettings,
} from '../harness/src/index.js';
import { checkRunOptions, fileReporter, RUN_OPTIONS, runServices, shown, startScenarioVitest, unreachable, withVitestImporter, type Io } from './vitest-run.js';

/**
 * `mock-entra conform <target file>`: the scenario catalog against your relying party — a
 * verdict per scenario (pass, pass with a skippable check not performed, fail with the missing
 * check named, not applicable, inconclusive) — through the same vitest run and reporters as
 * `scenarios run`, with the conformance adapter (harness/src/vitest/conform-adapter.ts).
 */

export type { Io };

export const CONFORM_HELP = `mock-entra conform — run the scenario catalog against your relying party

Usage:
  mock-entra conform TARGET_FILE [FILTER…] [options]

TARGET_FILE: a target (YAML, JSON, or .ts/.js/.mjs default-exporting defineTarget({...}));
             schema: fixtures/target.schema.json (README: Conformance mode).
FILTER: case-insensitive substrings of <flow>/<id>; none = all. The baseline always runs.

options:
  --mode MODE        managed (the harness starts the app per scenario, in parallel) |
                     attached (it runs already; one scenario at a time)
                     (default: managed when the file has \`managed\`, else attached)
  --reporter NAME    console | junit | json | html, repeatable      (default: all four)
  --out DIR          where junit.xml, results.json, index.html and
                     screenshots/ go                                 (reports/conform)
  --idp-url URL      attach to a mock started elsewhere (its test-control API
                     must answer us: loopback, or --control-token)  [MOCK_ENTRA_IDP_URL]
  --control-token T  that mock's control credential (a container's)  [MOCK_ENTRA_CONTROL_TOKEN]
  --ca FILE          that mock's CA certificate, when it is HTTPS     [MOCK_ENTRA_CA]
  --tls              start the in-process mock on HTTPS (default: plain HTTP)
  --concurrency N    scenarios at once in managed mode               (${SCENARIO_CONCURRENCY})
  --dir DIR          scenario files                                  (the shipped catalog)
  --json             print the verdicts as JSON on stdout (instead of the console lines)
  -h, --help

Verdicts: PASS, PASS (skippable check not performed: <rule>), FAIL (the missing check),
N/A (why: the scenario needs what the target does not declare, or a restart hook),
INCONCLUSIVE (the baseline sign-in failed, or the target could not be started or reached).
Exit code: 0 when nothing failed and nothing was inconclusive, 1 otherwise, 2 on usage or
target-file errors.
`;

/** A TypeScript target file is imported through vitest's module runner, as scenario files are. */
async function loadTarget(file: string): Promise<LoadedTarget> {
  if (!['.ts', '.mts'].includes(extname(file).toLowerCase())) return loadTargetFile(file);
  return withVitestImporter('mock-entra conform', (importer) => loadTargetFile(file, importer));
}

export async function runConformCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { ...RUN_OPTIONS, mode: { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (e) {
    io.stderr(`mock-entra conform: ${(e as Error).message}\n\n${CONFORM_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(CONFORM_HELP);
    return 0;
  }
  const [targetArg, ...filters] = positionals;
  if (!targetArg) {
    io.stderr(`mock-entra conform: name a target file\n\n${CONFORM_HELP}`);
    return 2;
  }
  const fail = (message: string): number => {
    io.stderr(`mock-entra conform: ${message}\n`);
    return 2;
  };
  const checked = checkRunOptions(values);
  if ('error' in checked) return fail(checked.error);
  const { reporters, concurrency, idpUrl } = checked;
  if (values.mode !== undefined && values.mode !== 'managed' && values.mode !== 'attached')
    return fail(`--mode must be managed or attached, not '${values.mode}'`);
  const dir = resolve(values.dir ?? DEFAULT_SCENARIOS_DIR);
  if (!existsSync(dir)) return fail(`no scenario folder ${dir}`);

  let loaded: LoadedTarget;
  try {
    loaded = await loadTarget(targetArg);
  } catch (e) {
    if (e instanceof TargetFileError) {
      io.stderr(`mock-entra conform: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const mode = (values.mode as 'managed' | 'attached' | undefined) ?? (loaded.target.managed ? 'managed' : 'attached');
  if (!loaded.target[mode]) return fail(`${loaded.file}: --mode ${mode} needs a \`${mode}\` section in the target file`);

  const out = resolve(values.out ?? join('reports', 'conform'));
  let settings: ScenarioRunSettings;
  try {
    settings = { dir, filters, reportDir: out, services: runServices(values, idpUrl, values.tls === true), conform: { targetFile: loaded.file, mode } };
  } catch (e) {
    return fail((e as Error).message);
  }
  const notThere = await unreachable(idpUrl, settings.services);
  if (notThere) {
    io.stderr(`mock-entra conform: ${notThere}\n`);
    return 1;
  }

  const written: string[] = [];
  const console = reporters.includes('console') && !values.json;
  const verdicts = new VerdictReporter(console ? { write: io.stdout } : {});
  const vitestReporters: unknown[] = [verdicts];
  for (const r of reporters) {
    const reporter = fileReporter(r, out, `mock-entra conform ${loaded.target.name}`, written);
    if (reporter !== undefined) vitestReporters.push(reporter);
  }
  if (console) io.stdout(`mock-entra conform: ${loaded.target.name}${loaded.target.library ? ` (${loaded.target.library})` : ''}, ${mode}\n`);

  const vitest = await startScenarioVitest({
    command: 'mock-entra conform',
    testFile: CONFORM_TEST_FILE,
    concurrency: mode === 'attached' ? 1 : concurrency,
    // Attached: one at a time, in the catalog's order (the target's one tenant is re-created for each).
    shuffle: mode === 'managed',
    settings,
    reporters: vitestReporters,
    // --json: stdout carries the verdicts only; vitest's own lines ("JSON report written to …") go to stderr.
    stdout: values.json ? process.stderr : undefined,
  });
  const files = vitest.state.getFiles();
  const broken = files.filter((f) => f.result?.state === 'fail' && (f.result.errors?.length ?? 0) > 0);
  const results = verdicts.results;
  if (values.json) {
    const sorted = [...results].sort((a, b) => (a.id === 'baseline' ? -1 : b.id === 'baseline' ? 1 : `${a.flow}/${a.id}`.localeCompare(`${b.flow}/${b.id}`)));
    io.stdout(`${JSON.stringify({ target: loaded.target.name, library: loaded.target.library, mode, verdicts: sorted }, null, 2)}\n`);
  } else if (console) io.stdout(`\n${verdictSummary(results, loaded.target.name, mode)}\n`);
  for (const f of broken) for (const e of f.result?.errors ?? []) io.stderr(`mock-entra conform: ${e.message}\n`);
  if (written.length && !values.json) io.stdout(`Reports: ${written.map(shown).join(', ')}\n`);
  if (written.some((w) => w.endsWith('results.json'))) addVerdicts(join(out, 'results.json'), loaded, mode, results);
  process.exitCode = 0; // the CLI returns its own code
  const bad = results.some((r) => r.verdict.kind === 'fail' || r.verdict.kind === 'inconclusive');
  return bad || broken.length > 0 || results.length === 0 ? 1 : 0;
}

/** results.json: vitest's JSON, plus the target and one `verdict` per scenario at the top (what CI scripts read). */
function addVerdicts(file: string, loaded: LoadedTarget, mode: string, results: VerdictReporter['results']): void {
  if (!existsSync(file)) return;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  doc.target = { name: loaded.target.name, ...(loaded.target.library ? { library: loaded.target.library } : {}), mode };
  doc.verdicts = results.map((r) => ({
    scenario: `${r.flow}/${r.id}`,
    title: r.title,
    verdict: r.verdict.text,
    kind: r.verdict.kind,
    reason: r.verdict.reason,
  }));
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}
