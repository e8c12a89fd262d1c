import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadedScenario, Scenario } from './scenario.js';
import { packagePath } from '../../mock-idp/src/index.js';

/**
 * Finding and loading scenario files: `scenarios/<flow>/<id>.scenario.ts`, one scenario each (its
 * default export, made with `defineScenario`). The file name is the id, the folder the flow.
 */

export const SCENARIO_SUFFIX = /\.scenario\.(?:ts|mts|js|mjs)$/;

/**
 * The shipped catalog: `scenarios/` in a clone (TypeScript), `dist/scenarios/` in an installed
 * package (tsc's build of the same files, importing dist/harness/src/index.js).
 */
export const DEFAULT_SCENARIOS_DIR = existsSync(packagePath('scenarios')) ? packagePath('scenarios') : packagePath('dist', 'scenarios');

/** Every scenario file under `dir`, sorted by path. */
export function findScenarioFiles(dir: string = DEFAULT_SCENARIOS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (SCENARIO_SUFFIX.test(e)) out.push(resolve(p));
    }
  };
  walk(dir);
  return out.sort();
}

/** `{ id, flow }` of a scenario file: `scenarios/errors/expired-secret.scenario.ts` → `expired-secret`, `errors`. */
export function scenarioIdentity(file: string, dir: string = DEFAULT_SCENARIOS_DIR): { id: string; flow: string } {
  const id = basename(file).replace(SCENARIO_SUFFIX, '');
  const rel = relative(resolve(dir), dirname(resolve(file)));
  const flow = rel && !rel.startsWith('..') ? rel.split(sep).join('/') : basename(dirname(file));
  return { id, flow };
}

/**
 * Does a scenario match a filter? Each filter is a case-insensitive substring of `<flow>/<id>`;
 * no filters match everything.
 */
export function matchesFilter(s: { id: string; flow: string }, filters: readonly string[]): boolean {
  const clean = filters.map((f) => f.trim().toLowerCase()).filter(Boolean);
  if (clean.length === 0) return true;
  const name = `${s.flow}/${s.id}`.toLowerCase();
  return clean.some((f) => name.includes(f));
}

/** Splits `MOCK_ENTRA_SCENARIOS`-style text (commas or spaces) into filters. */
export function parseFilters(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter(Boolean);
}

function isScenario(x: unknown): x is Scenario {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Scenario).title === 'string' &&
    Array.isArray((x as Scenario).steps) &&
    Array.isArray((x as Scenario).expect)
  );
}

/**
 * Imports scenario files. `importer` loads one module (default: `import()`, which needs a runtime
 * that understands TypeScript — vitest, tsx; the CLI passes vitest's module runner).
 */
export async function loadScenarios(
  o: { dir?: string; filters?: readonly string[]; importer?: (file: string) => Promise<unknown> } = {},
): Promise<LoadedScenario[]> {
  const dir = o.dir ?? DEFAULT_SCENARIOS_DIR;
  const importer = o.importer ?? ((file: string) => import(pathToFileURL(file).href));
  const out: LoadedScenario[] = [];
  const seen = new Map<string, string>();
  for (const file of findScenarioFiles(dir)) {
    const ident = scenarioIdentity(file, dir);
    if (!matchesFilter(ident, o.filters ?? [])) continue;
    const mod = (await importer(file)) as { default?: unknown };
    if (!isScenario(mod.default)) throw new TypeError(`${relative(process.cwd(), file)}: the default export must be defineScenario({...})`);
    const other = seen.get(ident.id);
    if (other) throw new Error(`two scenarios have the id '${ident.id}': ${other} and ${file} (the file name is the id; make it unique)`);
    seen.set(ident.id, file);
    out.push({ ...mod.default, ...ident, file });
  }
  return out;
}
