import type { FastifyReply } from 'fastify';
import type { Group } from '../directory/model.js';
import { GRAPH_ERRORS, graphError } from '../errors/graph-error.js';
import type { GroupProperties, MemberType, MergedGroupChange } from '../runtime/directory-changes.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { checkSelect } from './collection.js';
import { directoryIndex, type DirectoryIndex } from './directory-index.js';
import { GROUPS, USERS } from './entity-sets.js';
import { idsOfIdFilter, type FilterExpr } from './filter.js';
import { GraphFailure } from './graph-failure.js';
import { sendJson, type GraphCall } from './graph-route.js';
import { openToken, sealToken } from './page-tokens.js';
import { parseQueryOptions, rawPath } from './query-options.js';
import { contextUrl, GROUP_DEFAULT, groupValue, type Json } from './resources.js';

/**
 * The groups delta query, GET /v1.0/groups/delta (routes in surfaces/graph/delta.ts).
 * https://learn.microsoft.com/graph/api/group-delta · https://learn.microsoft.com/graph/delta-query-groups
 *
 * A first round pages through every group (`@odata.nextLink` with `$skiptoken`), then hands out
 * an `@odata.deltaLink` with `$deltatoken`. After the directory changes (test-control API: PUT or
 * PATCH the fixture), that link returns only what changed: new groups in full, changed groups
 * with their tracked properties, membership changes in `members@delta` (removals with
 * `"@removed":{"reason":"deleted"}`), deleted groups as `{"id","@removed":{"reason"}}` —
 * `changed` for a Microsoft 365 group (restorable for 30 days), `deleted` for a security group
 * (gone at once). Properties never set (null) are left out, as Graph does; `$select` limits the
 * tracked properties (`members` tracks membership; without `$select` membership is tracked);
 * `$filter=id eq '…' or …` (at most 50) limits the groups; `$deltatoken=latest` starts from now;
 * `Prefer: return=minimal` returns only changed properties. A large group's members are split
 * across pages, the group repeated on each (delta-query-groups, "Paging through members").
 * Tokens older than 7 days (tenant clock), from before a reset, or older than the changes the
 * mock keeps get 410 with a Location to start over (delta-query-overview).
 */

// UNCONFIRMED: Graph does not document its delta page sizes ($top is not supported on delta);
// these keep pages near the size of a /groups page while a large group's members still split.
const GROUPS_PER_PAGE = 100;
const MEMBERS_PER_PAGE = 1000;
const TOKEN_LIFETIME_MS = 7 * 24 * 3600 * 1000;

/** What both tokens carry: the round's query. */
interface RoundQuery {
  /** Tenant, epoch. */
  t: string;
  e: string;
  /** $select as given, or null. */
  sel: string[] | null;
  /** $filter ids, or null. */
  f: string[] | null;
  /** Membership tracked. */
  m: boolean;
  /** Issued at (tenant clock, ms). */
  at: number;
}
interface DeltaToken extends RoundQuery {
  k: 'd';
  /** Generation the changes are counted from. */
  s: number;
}
interface SkipToken extends RoundQuery {
  k: 's';
  /** Initial round ('i', s = generation at its start) or changes round ('c', from s to u). */
  r: 'i' | 'c';
  s: number;
  u: number;
  /** Cursor: after group `g` (o = 0), or inside group `g` from member `o`. */
  g: string;
  o: number;
}

interface DeltaItem {
  id: string;
  removed?: 'changed' | 'deleted';
  /** Properties to write, in order (changed ones may be null). */
  props: Array<[string, Json]>;
  members: Array<{ id: string; type: MemberType; removed: boolean }>;
}

const isUnified = (g: GroupProperties): boolean => (g.groupTypes ?? []).some((t) => t.toLowerCase() === 'unified');

function trackedProperties(sel: string[] | null): string[] {
  if (!sel) return GROUP_DEFAULT.filter((p) => p !== 'id');
  const out: string[] = [];
  for (const p of sel) {
    const name = GROUPS.propertyName(p);
    if (name && name !== 'id' && !out.includes(name)) out.push(name);
  }
  return out;
}

function checkDeltaFilter(expr: FilterExpr): string[] {
  const ids = idsOfIdFilter(expr);
  if (!ids) {
    const prop = findProperty(expr) ?? 'id';
    throw new GraphFailure(graphError(GRAPH_ERRORS.deltaFilter, { property: prop }));
  }
  if (ids.length > 50) throw new GraphFailure(graphError(GRAPH_ERRORS.deltaFilter, { property: 'id' }));
  return [...new Set(ids)].sort();
}

function findProperty(e: FilterExpr): string | undefined {
  switch (e.t) {
    case 'and':
    case 'or':
      return findProperty(e.l) ?? findProperty(e.r);
    case 'not':
      return findProperty(e.e);
    default:
      return e.prop;
  }
}

/** What a member is, for `members@delta` (a group holds users and groups only). */
const memberType = (ix: DirectoryIndex, id: string): MemberType => (ix.setOf(id) === USERS ? 'user' : 'group');

/** The current state of a group as a delta item (first round, or a group new since the token). */
function fullItem(ix: DirectoryIndex, id: string, g: Group, tracked: string[], members: boolean): DeltaItem {
  const props: Array<[string, Json]> = [];
  for (const p of tracked) {
    const v = groupValue(g, id, p);
    if (v !== null) props.push([p, v]);
  }
  const list = members ? ix.membersOf(id).map((m) => ({ id: m, type: memberType(ix, m), removed: false })) : [];
  return { id, props, members: list };
}

function itemJson(item: DeltaItem, members: DeltaItem['members']): string {
  if (item.removed) return JSON.stringify({ id: item.id, '@removed': { reason: item.removed } });
  const o: Record<string, Json> = {};
  for (const [k, v] of item.props) o[k] = v;
  o.id = item.id;
  if (members.length > 0) {
    o['members@delta'] = members.map((m): Json => {
      const ref: Record<string, Json> = { '@odata.type': `#microsoft.graph.${m.type}`, id: m.id };
      if (m.removed) ref['@removed'] = { reason: 'deleted' };
      return ref;
    });
  }
  return JSON.stringify(o);
}

/** The changes round's items: groups that changed between generations s and u, in id order (kept per tenant for the round's pages). */
const roundCaches = new WeakMap<TenantRuntime, Map<string, DeltaItem[]>>();
function changedItems(tenant: TenantRuntime, q: RoundQuery, s: number, u: number, minimal: boolean): DeltaItem[] | undefined {
  let roundCache = roundCaches.get(tenant);
  if (!roundCache) {
    roundCache = new Map();
    roundCaches.set(tenant, roundCache);
  }
  const key = `${q.e}|${s}|${u}|${(q.sel ?? []).join(',')}|${(q.f ?? []).join(',')}|${q.m}|${minimal}`;
  const cached = roundCache.get(key);
  if (cached) return cached;
  const merged = tenant.changes.since(s, u);
  if (!merged) return undefined;
  const ix = directoryIndex(tenant.directory);
  const tracked = trackedProperties(q.sel);
  const only = q.f ? new Set(q.f) : undefined;
  const items: DeltaItem[] = [];
  for (const id of [...merged.keys()].sort()) {
    if (only && !only.has(id)) continue;
    const c = merged.get(id)!;
    const item = changedItem(ix, c, tracked, q.m, minimal);
    if (item) items.push(item);
  }
  roundCache.set(key, items);
  if (roundCache.size > 4) roundCache.delete(roundCache.keys().next().value!);
  return items;
}

function changedItem(ix: DirectoryIndex, c: MergedGroupChange, tracked: string[], members: boolean, minimal: boolean): DeltaItem | undefined {
  if (!c.before && !c.after) return undefined;
  // `changed`: restorable from deleted items (Microsoft 365 groups, 30 days); `deleted`: gone for
  // good (security groups are not soft-deleted). UNCONFIRMED that Graph reports them this way per type.
  if (!c.after) return { id: c.id, removed: isUnified(c.before!) ? 'changed' : 'deleted', props: [], members: [] };
  const now = ix.dir.groups.get(c.id);
  if (!now) return undefined;
  if (!c.before || c.recreated) return fullItem(ix, c.id, now, tracked, members);
  const props: Array<[string, Json]> = [];
  let changed = false;
  for (const p of tracked) {
    const before = groupValue(c.before, c.id, p);
    const after = groupValue(c.after, c.id, p);
    const differs = JSON.stringify(before) !== JSON.stringify(after);
    changed ||= differs;
    if (differs || (!minimal && after !== null)) props.push([p, after]);
  }
  const list: DeltaItem['members'] = [];
  if (members) {
    for (const [id, type] of c.membersAdded) list.push({ id, type, removed: false });
    for (const [id, type] of c.membersRemoved) list.push({ id, type, removed: true });
    list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  if (!changed && list.length === 0) return undefined;
  return { id: c.id, props, members: list };
}

/** One page of a groups delta round (the route's permission, Group.Read.All or alike, is checked before). */
export function serveGroupsDelta(call: GraphCall): FastifyReply {
  const { ctx } = call;
  const tenant = call.caller.tenant;
  const q = parseQueryOptions(call.request, { expand: true });
  if (q.orderby || q.search !== undefined) throw new GraphFailure(GRAPH_ERRORS.sortingNotSupported);
  const minimal = /return=minimal/i.test(String(call.request.headers.prefer ?? ''));
  const path = rawPath(call.request);
  const base = `${ctx.urls.graph}${path}`;

  let round: SkipToken;
  if (q.skiptoken !== undefined) {
    const t = openToken<SkipToken>(ctx, q.skiptoken, 'base64url');
    if (!t || t.k !== 's' || t.t !== tenant.id) throw new GraphFailure(GRAPH_ERRORS.badSkipToken);
    round = t;
  } else if (q.deltatoken !== undefined && q.deltatoken !== '' && q.deltatoken.toLowerCase() !== 'latest') {
    const t = openToken<DeltaToken>(ctx, q.deltatoken, 'base64url');
    if (!t || t.k !== 'd' || t.t !== tenant.id) throw new GraphFailure(GRAPH_ERRORS.badDeltaToken);
    round = { ...t, k: 's', r: 'c', u: tenant.changes.seq, g: '', o: 0 };
  } else {
    if (q.select)
      checkSelect(
        q.select.filter((p) => p.toLowerCase() !== 'members'),
        [GROUPS],
      );
    if (q.expand !== undefined && q.expand.trim().toLowerCase() !== 'members') {
      throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: `$expand=${q.expand}` }));
    }
    const sel = q.select ?? null;
    const f = q.filter ? checkDeltaFilter(q.filter) : null;
    const m = !sel || sel.some((p) => p.toLowerCase() === 'members') || q.expand !== undefined;
    const seq = tenant.changes.track();
    const rq: RoundQuery = { t: tenant.id, e: tenant.changes.epoch, sel, f, m, at: tenant.now() };
    if (q.deltatoken?.toLowerCase() === 'latest') {
      // "Sync from now": a delta link and no data (delta-query-overview, note on directory resources).
      const token = sealToken(ctx, { ...rq, k: 'd', s: seq } satisfies DeltaToken, 'base64url');
      return sendJson(
        call,
        JSON.stringify({ '@odata.context': contextUrl(ctx.urls.graph, 'groups'), '@odata.deltaLink': `${base}?$deltatoken=${token}`, value: [] }),
      );
    }
    round = { ...rq, k: 's', r: 'i', s: seq, u: seq, g: '', o: 0 };
  }

  // A round of another epoch (the tenant was reset), or older than what is kept: start over.
  if (round.e !== tenant.changes.epoch || !tenant.changes.canServe(round.s) || tenant.now() - round.at > TOKEN_LIFETIME_MS) {
    const restart = [...(round.sel ? [`$select=${encodeURIComponent(round.sel.join(','))}`] : []), '$deltatoken='].join('&');
    throw new GraphFailure(GRAPH_ERRORS.deltaResync, { location: `${base}?${restart}` });
  }

  const ix = directoryIndex(tenant.directory);
  const tracked = trackedProperties(round.sel);
  let ids: string[];
  let itemAt: (id: string) => DeltaItem | undefined;
  if (round.r === 'i') {
    ids = round.f ? round.f.filter((id) => ix.dir.groups.has(id)) : ix.idsOf(GROUPS);
    itemAt = (id) => {
      const g = ix.dir.groups.get(id);
      return g ? fullItem(ix, id, g, tracked, round.m) : undefined;
    };
  } else {
    const items = changedItems(tenant, round, round.s, round.u, minimal);
    if (!items) throw new GraphFailure(GRAPH_ERRORS.deltaResync, { location: `${base}?$deltatoken=` });
    const byId = new Map(items.map((i) => [i.id, i]));
    ids = items.map((i) => i.id);
    itemAt = (id) => byId.get(id);
  }

  // Resume after the cursor (binary search on the sorted ids).
  let i = 0;
  if (round.g !== '') {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < round.g || (round.o === 0 && ids[mid] === round.g)) lo = mid + 1;
      else hi = mid;
    }
    i = lo;
  }
  const out: string[] = [];
  let budget = MEMBERS_PER_PAGE;
  let next: { g: string; o: number } | undefined;
  let offset = round.o;
  for (; i < ids.length; i++) {
    const id = ids[i]!;
    const item = itemAt(id);
    if (!item) {
      offset = 0;
      continue;
    }
    if (out.length >= GROUPS_PER_PAGE || (budget === 0 && item.members.length > offset)) {
      next = { g: i > 0 ? ids[i - 1]! : '', o: 0 };
      break;
    }
    const chunk = item.members.slice(offset, offset + budget);
    budget -= chunk.length;
    out.push(itemJson(item, chunk));
    if (offset + chunk.length < item.members.length) {
      next = { g: id, o: offset + chunk.length };
      break;
    }
    offset = 0;
  }

  const selectContext = q.skiptoken === undefined && q.deltatoken === undefined && round.sel ? round.sel : undefined;
  const head: Record<string, string> = { '@odata.context': contextUrl(ctx.urls.graph, 'groups', { select: selectContext }) };
  if (next) {
    const token = sealToken(ctx, { ...round, g: next.g, o: next.o } satisfies SkipToken, 'base64url');
    head['@odata.nextLink'] = `${base}?$skiptoken=${token}`;
  } else {
    const token = sealToken(
      ctx,
      { t: round.t, e: round.e, sel: round.sel, f: round.f, m: round.m, at: tenant.now(), k: 'd', s: round.u } satisfies DeltaToken,
      'base64url',
    );
    head['@odata.deltaLink'] = `${base}?$deltatoken=${token}`;
  }
  const body = `${JSON.stringify(head).slice(0, -1)},"value":[${out.join(',')}]}`;
  if (minimal && round.r === 'c') call.reply.header('preference-applied', 'return=minimal');
  return sendJson(call, body);
}
