import { GRAPH_ERRORS, graphError } from '../errors/graph-error.js';
import type { DirectoryIndex } from './directory-index.js';
import { GROUPS, SERVICE_PRINCIPALS, USERS, type EntitySet } from './entity-sets.js';
import { GraphFailure } from './graph-failure.js';

/**
 * `$expand` on users and groups (https://learn.microsoft.com/graph/query-parameters, "expand"):
 * `members`, `memberOf` and `owners` on groups, `memberOf` on users, optionally with `$select`
 * in parentheses (`$expand=members($select=id,displayName)`). As at Microsoft, an expanded
 * relationship of a directory object holds at most 20 objects and has no next link (the doc's
 * note on Microsoft Entra resources that derive from directoryObject); its items carry
 * `@odata.type`. A property the type does not have is refused in ODataLib's words; a real
 * relationship the mock does not expand (manager, transitiveMembers…) says so (501).
 * UNCONFIRMED: which 20 objects Graph returns (the mock: the first 20 by id), and the
 * `@odata.context` form `#groups(members())`, OData's for an expanded navigation.
 */

/** Graph's documented cap on an expanded directory relationship. */
export const MAX_EXPANDED = 20;

interface Navigation {
  name: string;
  sets: readonly EntitySet[];
  ids: (ix: DirectoryIndex, id: string) => string[];
}

const ownersOf = (ix: DirectoryIndex, id: string): string[] =>
  [...new Set((ix.dir.groups.get(id)?.owners ?? []).map((o) => o.toLowerCase()))]
    .filter((o) => ix.setOf(o) === USERS || ix.setOf(o) === SERVICE_PRINCIPALS)
    .sort();

const NAVIGATIONS = new Map<EntitySet, Map<string, Navigation>>([
  [
    GROUPS,
    new Map<string, Navigation>([
      ['members', { name: 'members', sets: [USERS, GROUPS], ids: (ix, id) => ix.membersOf(id) }],
      ['memberof', { name: 'memberOf', sets: [GROUPS], ids: (ix, id) => ix.memberOf(id) }],
      ['owners', { name: 'owners', sets: [USERS, SERVICE_PRINCIPALS], ids: ownersOf }],
    ]),
  ],
  [USERS, new Map<string, Navigation>([['memberof', { name: 'memberOf', sets: [GROUPS], ids: (ix, id) => ix.memberOf(id) }]])],
]);

/** Relationships Graph has that the mock does not expand. */
const NOT_EXPANDED = new Set([
  'manager',
  'directreports',
  'transitivemembers',
  'transitivememberof',
  'ownedobjects',
  'registereddevices',
  'owneddevices',
  'approleassignments',
  'approleassignedto',
  'extensions',
  'photo',
  'drive',
  'createdonbehalfof',
  'settings',
]);

export interface Expansion {
  nav: Navigation;
  /** `$select` inside the parentheses. */
  select?: string[];
  /** `members()` or `members(id,displayName)` for `@odata.context`. */
  context: string;
}

/** The `$expand` option checked against the set, or undefined when absent. */
export function parseExpand(text: string | undefined, set: EntitySet): Expansion | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (!m) {
    // Several relationships at once (`members,owners`) or a form the mock does not read.
    throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: `$expand=${text}` }));
  }
  const property = m[1]!;
  const nav = NAVIGATIONS.get(set)?.get(property.toLowerCase());
  if (!nav) {
    if (NOT_EXPANDED.has(property.toLowerCase()) || set.propertyName(property)) {
      throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: `$expand=${property} on ${set.name}` }));
    }
    throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSelectProperty, { property, type: set.kind }));
  }
  let select: string[] | undefined;
  const inner = m[2]?.trim();
  if (inner) {
    const s = /^\$select\s*=\s*(.+)$/i.exec(inner);
    if (!s) throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: `$expand=${text}` }));
    select = s[1]!.split(',').map((p) => p.trim());
    for (const p of select) {
      if (p === '' || !nav.sets.some((x) => x.propertyName(p))) {
        throw new GraphFailure(
          graphError(GRAPH_ERRORS.unknownSelectProperty, { property: p, type: nav.sets.length === 1 ? nav.sets[0]!.kind : 'directoryObject' }),
        );
      }
    }
  }
  return { nav, ...(select ? { select } : {}), context: `${nav.name}(${select ? select.join(',') : ''})` };
}

/** The object's JSON with the expanded relationship appended (at most 20 objects), written by `write` (typed items, the expansion's $select). */
export function expandedJson(ix: DirectoryIndex, id: string, json: string, e: Expansion, write: (id: string) => string | undefined): string {
  const related: string[] = [];
  for (const r of e.nav.ids(ix, id)) {
    if (related.length >= MAX_EXPANDED) break;
    const j = write(r);
    if (j !== undefined) related.push(j);
  }
  const list = `"${e.nav.name}":[${related.join(',')}]`;
  return json === '{}' ? `{${list}}` : `${json.slice(0, -1)},${list}}`;
}
