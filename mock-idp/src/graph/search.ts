import { GRAPH_ERRORS } from '../errors/graph-error.js';
import type { Subject } from './filter.js';
import { GraphFailure } from './graph-failure.js';

/**
 * `$search` on directory objects (https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections):
 * `"property:term"` clauses, quoted, joined by `AND` / `OR`; only with `ConsistencyLevel:
 * eventual`. The directory tokenizes string properties into words (spaces, punctuation, camel
 * case) and a term matches when each of its words starts a word of the property, ignoring case:
 * `"displayName:sales"` finds "Contoso Sales", "displayName:con sal" finds it too.
 */

type Clause = { property: string; words: string[] };
export type SearchExpr = { t: 'or'; parts: Array<{ t: 'and'; parts: Clause[] }> };

const SEARCHABLE = new Set(['displayname', 'description', 'mail', 'userprincipalname', 'givenname', 'surname', 'mailnickname', 'jobtitle', 'proxyaddresses']);

/** Words of a value: split on anything not a letter or digit, and on lower→upper case changes. */
export function words(value: string): string[] {
  return value
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export function parseSearch(src: string): SearchExpr {
  const bad = () => new GraphFailure(GRAPH_ERRORS.invalidSearch);
  const clauses = [...src.matchAll(/"([^"]*)"|\b(AND|OR)\b|(\S+)/g)];
  const or: SearchExpr = { t: 'or', parts: [{ t: 'and', parts: [] }] };
  let expectClause = true;
  for (const m of clauses) {
    if (m[3] !== undefined) throw bad();
    if (m[2] !== undefined) {
      if (expectClause) throw bad();
      if (m[2] === 'OR') or.parts.push({ t: 'and', parts: [] });
      expectClause = true;
      continue;
    }
    if (!expectClause) throw bad();
    const body = m[1] ?? '';
    const colon = body.indexOf(':');
    if (colon <= 0) throw bad();
    const property = body.slice(0, colon).trim();
    if (!SEARCHABLE.has(property.toLowerCase())) throw bad();
    const w = words(body.slice(colon + 1));
    if (w.length === 0) throw bad();
    or.parts[or.parts.length - 1]!.parts.push({ property, words: w });
    expectClause = false;
  }
  if (expectClause) throw bad();
  return or;
}

function clauseMatches(c: Clause, subject: Subject): boolean {
  const name = subject.set.propertyName(c.property);
  if (!name) return false;
  const v = subject.set.value(subject.o, subject.id, name);
  const values = Array.isArray(v) ? v : [v];
  return values.some((x) => {
    if (typeof x !== 'string') return false;
    const have = words(x);
    return c.words.every((w) => have.some((h) => h.startsWith(w)));
  });
}

export function searchMatches(expr: SearchExpr, subject: Subject): boolean {
  return expr.parts.some((and) => and.parts.every((c) => clauseMatches(c, subject)));
}
