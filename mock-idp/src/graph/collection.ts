import type { FastifyReply } from 'fastify';
import { GRAPH_ERRORS, graphError } from '../errors/graph-error.js';
import { directoryIndex, limitedTemplate, type DirectoryIndex, type LimitedTemplate } from './directory-index.js';
import type { EntitySet } from './entity-sets.js';
import { expandedJson, parseExpand, type Expansion } from './expand.js';
import { checkFilter, matches, type Subject } from './filter.js';
import { GraphFailure } from './graph-failure.js';
import { sendCount, sendJson, type GraphCall } from './graph-route.js';
import { objectJson } from './object-json.js';
import { openToken, queryKey, sealToken, type TokenStyle } from './page-tokens.js';
import { allowed, callerUserId } from './permissions.js';
import { DEFAULT_PAGE_SIZE, parseQueryOptions, rawPath, type QueryOptions } from './query-options.js';
import { contextUrl } from './resources.js';
import { parseSearch, searchMatches } from './search.js';

/**
 * A Graph collection answer — /users, /groups, members, memberOf and their casts and `$count`:
 * query options checked in Graph's words, the result filtered/searched/ordered once per query
 * and kept (DirectoryIndex.results), then one page cut from the sorted array by binary search
 * after the skip token's cursor. So a full read of n objects in pages of 999 costs O(n) in total.
 */

export interface CollectionSpec {
  /** Entity set for `@odata.context`: an entity set's name (users, groups) or directoryObjects. */
  entitySet: string;
  /** The entity sets whose objects the collection can hold (filter and select are checked against them). */
  sets: readonly EntitySet[];
  /** Items carry `@odata.type` (directoryObject collections). */
  typed: boolean;
  /** A relationship (members, memberOf…): `$filter` needs the advanced query parameters. */
  reference: boolean;
  /** The collection's ids, sorted by id. */
  ids: (ix: DirectoryIndex) => string[];
  /** Names the collection for page tokens (e.g. `groups/{id}/members/user`). */
  key: string;
  /** Properties `$orderby` accepts without advanced parameters. */
  orderable?: readonly string[];
  /** `…/$count`: answer the count as text. */
  countOnly?: boolean;
  tokenStyle?: TokenStyle;
}

interface Cursor {
  /** Tenant. */
  t: string;
  /** Query key. */
  q: string;
  /** Sort key and id of the last item served. */
  a: [string, string];
}

/** `$select` names must exist on (one of) the collection's types. */
export function checkSelect(select: readonly string[] | undefined, sets: readonly EntitySet[]): void {
  for (const p of select ?? []) {
    if (!sets.some((set) => set.propertyName(p))) {
      throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSelectProperty, { property: p, type: sets.length === 1 ? sets[0]!.kind : 'directoryObject' }));
    }
  }
}

function subjectOf(ix: DirectoryIndex, id: string): Subject | undefined {
  const found = ix.object(id);
  return found ? { set: found.set, o: found.o, id } : undefined;
}

function sortValue(ix: DirectoryIndex, id: string, property: string): string {
  const found = ix.object(id);
  const name = found?.set.propertyName(property);
  if (!found || !name) return '';
  const v = found.set.value(found.o, id, name);
  return typeof v === 'string' ? v.toLowerCase() : '';
}

/** First index whose (key, id) sorts after the cursor. */
function after(ordered: readonly string[], keyOf: (id: string) => string, cursor: [string, string], descending: boolean): number {
  const cmp = (id: string): number => {
    const k = keyOf(id);
    const c = k < cursor[0] ? -1 : k > cursor[0] ? 1 : id < cursor[1] ? -1 : id > cursor[1] ? 1 : 0;
    // Descending pages walk the ascending order reversed (key, then id).
    return descending ? -c : c;
  };
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(ordered[mid]!) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An item's JSON text; `known`: its entity set when the caller already knows it (saves a lookup per item). */
export type ItemWriter = ((id: string, known?: EntitySet) => string | undefined) & {
  /**
   * The template every item of this set is written from, when every one is (limited items, no
   * `$select`, and no signed-in user who would read themself in full): the page then writes runs
   * of them with one join.
   */
  template(set: EntitySet): LimitedTemplate | undefined;
};

/**
 * The item JSON: cached default form, or built for $select / limited information. Whether the
 * caller reads an item in full is its set's `readers` rule (the signed-in user reads themself),
 * decided once per set for the whole answer — a page holds up to 999 items of two or three sets.
 */
export function itemWriter(call: GraphCall, ix: DirectoryIndex, select: readonly string[] | undefined, typed: boolean): ItemWriter {
  const self = callerUserId(call.caller);
  const readable = new Map<EntitySet, boolean>();
  const readsAll = (set: EntitySet): boolean => {
    let full = readable.get(set);
    if (full === undefined) readable.set(set, (full = allowed(call.caller, set.readers)));
    return full;
  };
  const write = (id: string, known?: EntitySet): string | undefined => {
    // Without $select only the object's set is needed (its JSON is cached): no lookup result allocated per item.
    const found = select ? ix.object(id) : undefined;
    const set = found ? found.set : select ? undefined : (known ?? ix.setHolding(id));
    if (!set) return undefined;
    const limited = !readsAll(set) && !(self === id && allowed(call.caller, set.readers, true));
    if (!select && !limited) {
      const j = ix.defaultJson(id)!;
      return typed ? `{"@odata.type":"${set.odataType}",${j.slice(1)}` : j;
    }
    if (!select) return ix.limitedJson(set, id, typed);
    return objectJson(set, found!.o, id, { select, typed, limited });
  };
  return Object.assign(write, {
    template: (set: EntitySet): LimitedTemplate | undefined =>
      select || readsAll(set) || (self !== undefined && allowed(call.caller, set.readers, true)) ? undefined : limitedTemplate(set, typed),
  });
}

/** A collection of one entity set that is not a relationship (/users, /groups…) takes `$expand`. */
const expandable = (spec: CollectionSpec): EntitySet | undefined => (spec.sets.length === 1 && !spec.reference ? spec.sets[0] : undefined);

/** `@odata.context` with `$select` and an expanded relationship (`groups(id,members())`). */
function selectContext(select: readonly string[] | undefined, expansion: Expansion | undefined): readonly string[] | undefined {
  return expansion ? [...(select ?? []), expansion.context] : select;
}

export function serveCollection(call: GraphCall, spec: CollectionSpec, q?: QueryOptions): FastifyReply {
  const expandSet = expandable(spec);
  q ??= parseQueryOptions(call.request, { expand: expandSet !== undefined });
  const tenant = call.caller.tenant;
  const ix = directoryIndex(tenant.directory);
  checkSelect(q.select, spec.sets);
  const expansion = expandSet && !spec.countOnly ? parseExpand(q.expand, expandSet) : undefined;
  if (q.filter) {
    if (spec.reference && !q.advanced) throw new GraphFailure(GRAPH_ERRORS.referenceFilter);
    checkFilter(q.filter, { sets: spec.sets, advanced: q.advanced });
  }
  const search = q.search !== undefined ? parseSearch(q.search) : undefined;
  let orderby: { property: string; descending: boolean } | undefined;
  if (q.orderby) {
    // Sorting with a filter (or on a relationship) is an advanced query (aad-advanced-queries).
    if ((q.filter || spec.reference) && !q.advanced) throw new GraphFailure(GRAPH_ERRORS.sortingNotSupported);
    const canonical = spec.sets.map((set) => set.propertyName(q.orderby!.property)).find(Boolean);
    if (!canonical || !(spec.orderable ?? []).includes(canonical)) throw new GraphFailure(GRAPH_ERRORS.sortingNotSupported);
    orderby = { property: canonical, descending: q.orderby.descending };
  }
  if (spec.countOnly && !q.eventual) throw new GraphFailure(GRAPH_ERRORS.countNotSupported);

  const qk = queryKey([spec.key, q.filterText, q.search, orderby ? `${orderby.property} ${orderby.descending ? 'desc' : 'asc'}` : undefined]);
  let ordered = ix.results.get(`${tenant.id}|${qk}`);
  if (!ordered) {
    let ids = spec.ids(ix);
    if (q.filter || search) {
      ids = ids.filter((id) => {
        const s = subjectOf(ix, id);
        return s !== undefined && (!q.filter || matches(q.filter, s)) && (!search || searchMatches(search, s));
      });
    }
    if (orderby) {
      const p = orderby.property;
      ids = ix.orderedBy(spec.sets[0]!, p, ids, (id) => sortValue(ix, id, p));
      if (orderby.descending) ids = [...ids].reverse();
    }
    ordered = ix.results.set(`${tenant.id}|${qk}`, ids);
  }
  if (spec.countOnly) return sendCount(call, ordered.length);

  const keyOf = orderby ? (id: string) => sortValue(ix, id, orderby.property) : () => '';
  let start = 0;
  if (q.skiptoken !== undefined) {
    const style = spec.tokenStyle ?? 'base64';
    const c = openToken<Cursor>(call.ctx, q.skiptoken, style);
    if (!c || c.t !== tenant.id || c.q !== qk || !Array.isArray(c.a) || typeof c.a[0] !== 'string' || typeof c.a[1] !== 'string') {
      throw new GraphFailure(GRAPH_ERRORS.badSkipToken);
    }
    start = after(ordered, keyOf, c.a, orderby?.descending ?? false);
  }
  const top = q.top ?? DEFAULT_PAGE_SIZE;
  const page = ordered.slice(start, start + top);
  const items: string[] = [];
  const write = itemWriter(call, ix, q.select, spec.typed);
  const writeRelated = expansion ? itemWriter(call, ix, expansion.select, true) : undefined;
  const sets = ix.setsOf(ordered);
  // Consecutive items written from one template (limited members: a sync tool's whole read) go
  // out as one join of their ids.
  let run: string[] = [];
  let runTemplate: LimitedTemplate | undefined;
  const endRun = (): void => {
    if (runTemplate && run.length > 0) items.push(runTemplate.before + run.join(runTemplate.between) + runTemplate.after);
    run = [];
  };
  for (let k = 0; k < page.length; k++) {
    const id = page[k]!;
    const known = sets?.[start + k];
    const template = known && !expansion ? write.template(known) : undefined;
    if (template) {
      if (template !== runTemplate) endRun();
      runTemplate = template;
      run.push(id);
      continue;
    }
    endRun();
    const j = write(id, known);
    if (j !== undefined) items.push(expansion ? expandedJson(ix, id, j, expansion, writeRelated!) : j);
  }
  endRun();
  let head = `{"@odata.context":${JSON.stringify(contextUrl(call.ctx.urls.graph, spec.entitySet, { select: selectContext(q.select, expansion) }))}`;
  // @odata.count: advanced queries only, first page only (docs/entra-wire.md §8.1).
  if (q.advanced && q.skiptoken === undefined) head += `,"@odata.count":${ordered.length}`;
  if (start + top < ordered.length) {
    const last = page[page.length - 1]!;
    const token = sealToken(call.ctx, { t: tenant.id, q: qk, a: [keyOf(last), last] } satisfies Cursor, spec.tokenStyle ?? 'base64');
    const link = `${call.ctx.urls.graph}${rawPath(call.request)}?${[...q.carried, `$skiptoken=${encodeURIComponent(token).replace(/'/g, '%27')}`].join('&')}`;
    head += `,"@odata.nextLink":${JSON.stringify(link)}`;
  }
  return sendJson(call, `${head},"value":[${items.join(',')}]}`);
}

/** A single object of the set (which must hold it): `@odata.context` …/$entity, then its properties. */
export function serveEntity<O>(
  call: GraphCall,
  set: EntitySet<O>,
  id: string,
  q: QueryOptions = parseQueryOptions(call.request, { expand: true }),
): FastifyReply {
  checkSelect(q.select, [set]);
  const expansion = parseExpand(q.expand, set as EntitySet);
  const ix = directoryIndex(call.caller.tenant.directory);
  let body = q.select ? objectJson(set, set.objects(ix.dir).get(id), id, { select: q.select }) : ix.defaultJson(id)!;
  if (expansion) body = expandedJson(ix, id, body, expansion, itemWriter(call, ix, expansion.select, true));
  const context = JSON.stringify(contextUrl(call.ctx.urls.graph, set.name, { select: selectContext(q.select, expansion), entity: true }));
  return sendJson(call, body === '{}' ? `{"@odata.context":${context}}` : `{"@odata.context":${context},${body.slice(1)}`);
}
