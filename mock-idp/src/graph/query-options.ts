import type { FastifyRequest } from 'fastify';
import { GRAPH_ERRORS, graphError } from '../errors/graph-error.js';
import { parseFilter, type FilterExpr } from './filter.js';
import { GraphFailure } from './graph-failure.js';

/**
 * OData system query options as Microsoft Graph reads them on directory collections
 * (https://learn.microsoft.com/graph/query-parameters): names case-insensitive with their `$`,
 * each at most once; `$top` 1–999 (default 100); `$count` counts only with the
 * `ConsistencyLevel: eventual` header (without it `?$count=true` is silently ignored, as
 * aad-advanced-queries documents). The original parameters are kept, encoded as sent, so a
 * `@odata.nextLink` can carry them all.
 */

export interface QueryOptions {
  /** `name=value` pairs exactly as sent, minus `$skiptoken` / `$deltatoken` (for next links). */
  carried: string[];
  /** `$select` property names as given (trimmed). */
  select?: string[];
  top?: number;
  filter?: FilterExpr;
  filterText?: string;
  /** `$count=true`. */
  count: boolean;
  orderby?: { property: string; descending: boolean };
  search?: string;
  skiptoken?: string;
  deltatoken?: string;
  /** `$expand` (only where the route accepts it: groups/delta's `members`). */
  expand?: string;
  /** The `ConsistencyLevel: eventual` header. */
  eventual: boolean;
  /** Advanced query: the header and `$count=true` (aad-advanced-queries). */
  advanced: boolean;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

const KNOWN = new Set(['$select', '$top', '$filter', '$count', '$skiptoken', '$deltatoken', '$orderby', '$search', '$expand', '$skip', '$format']);

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

/** The raw query string of the request (after the first `?`), as sent. */
export function rawQuery(request: FastifyRequest): string {
  const i = request.url.indexOf('?');
  return i < 0 ? '' : request.url.slice(i + 1);
}

/** The request path as sent (no query). */
export function rawPath(request: FastifyRequest): string {
  const i = request.url.indexOf('?');
  return i < 0 ? request.url : request.url.slice(0, i);
}

export function parseQueryOptions(request: FastifyRequest, opts: { expand?: boolean } = {}): QueryOptions {
  const carried: string[] = [];
  const seen = new Map<string, string>();
  for (const pair of rawQuery(request).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq)).trim();
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    const key = name.toLowerCase();
    if (key.startsWith('$')) {
      if (!KNOWN.has(key)) throw new GraphFailure(graphError(GRAPH_ERRORS.unknownQueryOption, { option: name }));
      if (seen.has(key)) throw new GraphFailure(graphError(GRAPH_ERRORS.duplicateQueryOption, { option: key }));
      seen.set(key, value);
    }
    if (key !== '$skiptoken' && key !== '$deltatoken') carried.push(pair);
  }
  const header = request.headers.consistencylevel;
  const eventual = (Array.isArray(header) ? header : [header]).some((h) => typeof h === 'string' && h.trim().toLowerCase() === 'eventual');

  if (seen.has('$skip')) throw new GraphFailure(GRAPH_ERRORS.skipNotSupported);
  if (seen.has('$expand') && !opts.expand) throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: '$expand' }));
  const format = seen.get('$format');
  if (format !== undefined && format.toLowerCase() !== 'json' && format.toLowerCase() !== 'application/json') {
    throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: `$format=${format}` }));
  }

  const q: QueryOptions = { carried, count: false, eventual, advanced: false };

  const count = seen.get('$count');
  if (count !== undefined) {
    const c = count.trim().toLowerCase();
    if (c !== 'true' && c !== 'false') throw new GraphFailure(graphError(GRAPH_ERRORS.invalidCount, { value: count }));
    q.count = c === 'true';
  }
  q.advanced = q.count && eventual;

  const top = seen.get('$top');
  if (top !== undefined) {
    if (!/^\s*\d+\s*$/.test(top)) throw new GraphFailure(graphError(GRAPH_ERRORS.invalidTop, { value: top }));
    const n = Number(top);
    if (n < 1 || n > MAX_PAGE_SIZE) throw new GraphFailure(graphError(GRAPH_ERRORS.invalidPageSize, { top: top.trim() }));
    q.top = n;
  }

  const select = seen.get('$select');
  if (select !== undefined) {
    const names = select.split(',').map((s) => s.trim());
    if (names.some((n) => n === '')) throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSelectProperty, { property: '', type: 'entity' }));
    q.select = names;
  }

  const filter = seen.get('$filter');
  if (filter !== undefined) {
    q.filterText = filter;
    q.filter = parseFilter(filter);
  }

  const orderby = seen.get('$orderby');
  if (orderby !== undefined) {
    const m = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(orderby);
    if (!m) throw new GraphFailure(GRAPH_ERRORS.sortingNotSupported);
    q.orderby = { property: m[1]!, descending: (m[2] ?? '').toLowerCase() === 'desc' };
  }

  const search = seen.get('$search');
  if (search !== undefined) {
    if (!eventual) throw new GraphFailure(GRAPH_ERRORS.searchNeedsEventual);
    q.search = search;
  }

  const skiptoken = seen.get('$skiptoken');
  if (skiptoken !== undefined) q.skiptoken = skiptoken;
  const deltatoken = seen.get('$deltatoken');
  if (deltatoken !== undefined) q.deltatoken = deltatoken;
  const expand = seen.get('$expand');
  if (expand !== undefined) q.expand = expand;
  return q;
}
