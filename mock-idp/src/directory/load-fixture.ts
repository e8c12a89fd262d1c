import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { FixtureDocument } from './model.js';
import { FixtureError, type FixtureIssue } from './fixture-issues.js';
import { validateFixture } from './validate-fixture.js';

/** The shipped default tenant (Contoso), the public contract documented in the README. */
export const DEFAULT_FIXTURE_PATH = fileURLToPath(
  // From mock-idp/src/directory/ (sources) or dist/mock-idp/src/directory/ (build) to fixtures/.
  new URL(import.meta.url.includes('/dist/mock-idp/') ? '../../../../fixtures/contoso.yaml' : '../../../fixtures/contoso.yaml', import.meta.url),
);

/** Parses YAML or JSON text; a syntax error becomes a FixtureIssue with the line. */
export function parseFixtureText(text: string, file: string): { doc?: unknown; issues: FixtureIssue[] } {
  try {
    const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
    return { doc, issues: [] };
  } catch (e) {
    return { issues: [{ file, path: '', message: `cannot parse: ${(e as Error).message.split('\n')[0]}` }] };
  }
}

/** Reads, parses and validates a fixture file; throws FixtureError listing every problem. */
export async function loadFixtureFile(file: string): Promise<FixtureDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new FixtureError([{ file, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  const { doc, issues } = parseFixtureText(text, file);
  if (issues.length > 0) throw new FixtureError(issues);
  return checkedFixture(doc, file);
}

/** Validates an in-memory document (from a test, or the control API). */
export function checkedFixture(doc: unknown, file = '(inline fixture)'): FixtureDocument {
  const issues = validateFixture(doc, file);
  if (issues.length > 0) throw new FixtureError(issues);
  return doc as FixtureDocument;
}

/** Loads several fixtures; tenants from all of them, every error from all of them. */
export async function loadFixtures(sources: Array<string | FixtureDocument>): Promise<FixtureDocument> {
  const all: FixtureIssue[] = [];
  const tenants: FixtureDocument['tenants'] = [];
  for (const src of sources) {
    try {
      const doc = typeof src === 'string' ? await loadFixtureFile(src) : checkedFixture(structuredClone(src));
      tenants.push(...doc.tenants);
    } catch (e) {
      if (e instanceof FixtureError) all.push(...e.issues);
      else throw e;
    }
  }
  const seen = new Map<string, number>();
  tenants.forEach((t, i) => {
    const id = t.id.toLowerCase();
    if (seen.has(id)) all.push({ file: '(all fixtures)', path: `tenants[${i}].id`, message: `tenant ${t.id} is defined twice` });
    seen.set(id, i);
  });
  if (all.length > 0) throw new FixtureError(all);
  return { tenants };
}
