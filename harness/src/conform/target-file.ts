import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { RE2JS } from 're2js';
import { parse as parseYaml } from 'yaml';
import { packagePath } from '../../../mock-idp/src/index.js';
import type { TargetDefinition } from './target.js';
import { TARGET_VARIABLES, unknownVariables } from './variables.js';

/**
 * Reads a target file — YAML, JSON, or a `.ts`/`.js`/`.mjs` module default-exporting
 * `defineTarget({...})` — and checks it: the JSON Schema (fixtures/target.schema.json, whose `app`
 * is the fixture schema's application), every `${VAR}` a known variable, `signedIn.url` a valid
 * RE2 expression (re2js: linear time, so a file's pattern cannot hang the harness the way a
 * backtracking `new RegExp` can). A file with problems is refused with all of them listed.
 */

export interface TargetIssue {
  /** Where, as a path into the document, e.g. `signedIn.url` (empty: the whole file). */
  path: string;
  message: string;
}

export class TargetFileError extends Error {
  constructor(
    readonly file: string,
    readonly issues: TargetIssue[],
  ) {
    super(`${file}: ${issues.length} problem(s)\n${issues.map((i) => `  ${i.path || '(file)'}: ${i.message}`).join('\n')}`);
    this.name = 'TargetFileError';
  }
}

export interface LoadedTarget {
  target: TargetDefinition;
  /** Absolute path of the file. */
  file: string;
  /** Its folder (TARGET_DIR). */
  dir: string;
}

export const TARGET_SCHEMA_PATH = packagePath('fixtures', 'target.schema.json');
const FIXTURE_SCHEMA_PATH = packagePath('fixtures', 'schema.json');

let validator: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true });
    ajv.addSchema(JSON.parse(readFileSync(FIXTURE_SCHEMA_PATH, 'utf8')) as object);
    validator = ajv.compile(JSON.parse(readFileSync(TARGET_SCHEMA_PATH, 'utf8')) as object);
  }
  return validator;
}

/** `/signedIn/url` → `signedIn.url`, `/app/web/redirectUris/0` → `app.web.redirectUris[0]`. */
function toPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

function describe(e: ErrorObject): TargetIssue {
  const path = toPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperty': // never: ajv names it additionalProperties
    case 'additionalProperties': {
      const allowed = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
      return {
        path: path ? `${path}.${String(p.additionalProperty)}` : String(p.additionalProperty),
        message: `unknown field (allowed: ${allowed.join(', ')})`,
      };
    }
    case 'required':
      return { path: path ? `${path}.${String(p.missingProperty)}` : String(p.missingProperty), message: 'is required' };
    case 'enum':
      return { path, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern':
      return { path, message: `${JSON.stringify(e.data)} must match ${String(p.pattern)}` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** Every problem of a target document (empty: valid). */
export function validateTarget(doc: unknown): TargetIssue[] {
  const validate = schemaValidator();
  if (validate(doc)) return semanticIssues(doc as TargetDefinition);
  // oneOf reports each branch's failure too: the command's own message says enough.
  const errors = (validate.errors ?? []).filter(
    (e) => !(e.schemaPath.startsWith('#/definitions/command/oneOf/') && e.keyword === 'type') && e.schemaPath !== '#/definitions/command/oneOf',
  );
  const seen = new Set<string>();
  const issues: TargetIssue[] = [];
  for (const e of errors) {
    const i = describe(e);
    const key = `${i.path}\0${i.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(i);
  }
  // Variables and the pattern are checked on a document whose shape is right; report them too when they can be read.
  if (doc && typeof doc === 'object') issues.push(...variableIssues(doc), ...patternIssues(doc as Partial<TargetDefinition>));
  return issues;
}

function semanticIssues(t: TargetDefinition): TargetIssue[] {
  const issues = [...variableIssues(t), ...patternIssues(t)];
  if (!t.attached && !t.managed) issues.push({ path: '', message: 'give `managed` (the harness starts the app) or `attached` (it runs already), or both' });
  return issues;
}

function variableIssues(doc: object): TargetIssue[] {
  const out: TargetIssue[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      for (const name of unknownVariables(v)) out.push({ path, message: `unknown variable \${${name}} (known: ${TARGET_VARIABLES.join(', ')})` });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(doc, '');
  return out;
}

function patternIssues(t: Partial<TargetDefinition>): TargetIssue[] {
  const pattern = t.signedIn?.url;
  if (typeof pattern !== 'string') return [];
  try {
    RE2JS.compile(pattern);
    return [];
  } catch (e) {
    return [{ path: 'signedIn.url', message: `not a valid RE2 regular expression: ${(e as Error).message}` }];
  }
}

/** How a `.ts`/`.js`/`.mjs` target file is imported (the CLI passes vitest's module runner for TypeScript). */
export type TargetImporter = (file: string) => Promise<unknown>;

const defaultImporter: TargetImporter = (file) => import(pathToFileURL(file).href);

/**
 * Loads and checks a target file. Throws {@link TargetFileError} listing every problem (the CLI
 * prints it and exits 2).
 */
export async function loadTargetFile(path: string, importer: TargetImporter = defaultImporter): Promise<LoadedTarget> {
  const file = resolve(path);
  const ext = extname(file).toLowerCase();
  let doc: unknown;
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    let mod: unknown;
    try {
      mod = await importer(file);
    } catch (e) {
      throw new TargetFileError(file, [{ path: '', message: `cannot import it: ${(e as Error).message.split('\n')[0]}` }]);
    }
    doc = (mod as { default?: unknown } | undefined)?.default;
    if (doc === undefined) throw new TargetFileError(file, [{ path: '', message: 'has no default export (export default defineTarget({...}))' }]);
  } else {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new TargetFileError(file, [{ path: '', message: `cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
    }
    try {
      doc = ext === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch (e) {
      throw new TargetFileError(file, [{ path: '', message: `not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}` }]);
    }
  }
  const issues = validateTarget(doc);
  if (issues.length) throw new TargetFileError(file, issues);
  return { target: doc as TargetDefinition, file, dir: dirname(file) };
}
