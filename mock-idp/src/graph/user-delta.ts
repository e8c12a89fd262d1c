import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { GRAPH_ERRORS } from '../errors/graph-error.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { checkSelect } from './collection.js';
import { directoryIndex } from './directory-index.js';
import { USERS } from './entity-sets.js';
import { GraphFailure } from './graph-failure.js';
import { sendJson, type GraphCall } from './graph-route.js';
import { objectJson } from './object-json.js';
import { openToken, sealToken } from './page-tokens.js';
import { parseQueryOptions, rawPath } from './query-options.js';
import { contextUrl } from './resources.js';

/**
 * The users delta query, GET /v1.0/users/delta (https://learn.microsoft.com/graph/api/user-delta,
 * https://learn.microsoft.com/graph/delta-query-users): a first round pages through every user
 * (`@odata.nextLink` with `$skiptoken`) and ends with an `@odata.deltaLink`; that link then
 * returns the users created or changed since (their tracked properties and id) and the deleted
 * ones as `{"id","@removed":{"reason":"changed"}}` — users are soft-deleted, restorable for 30
 * days (delta-query-overview, "Resource representation in the delta query response").
 * `$select` limits the tracked properties; `$deltatoken=latest` starts from now.
 *
 * How the mock knows what changed: each round remembers a fingerprint of every user's tracked
 * properties when it ends (per tenant, the last few rounds only); the next round compares the
 * directory with it. A token whose round is no longer remembered (older rounds, a restart, a
 * reset tenant) gets Graph's 410 with a Location to start over, as an expired token does.
 * UNCONFIRMED: the page size (Graph does not document it; `$top` is not supported on delta).
 */

const USERS_PER_PAGE = 100;
const ROUNDS_KEPT = 8;
const TOKEN_LIFETIME_MS = 7 * 24 * 3600 * 1000;

interface Round {
  /** Fingerprint of each user's tracked properties when the round was taken. */
  prints: Map<string, string>;
  /** The users this round returns (changes rounds: changed or new, then removed), sorted. */
  changed?: string[];
  removed?: Set<string>;
}

interface TokenBase {
  /** Tenant, its epoch, the round's id, $select (null: the default properties). */
  t: string;
  e: string;
  r: string;
  sel: string[] | null;
  /** Issued at (tenant clock). */
  at: number;
}
interface DeltaToken extends TokenBase {
  k: 'd';
}
interface SkipToken extends TokenBase {
  k: 's';
  /** Initial round (every user) or a changes round. */
  c: boolean;
  /** The last user id served. */
  a: string;
}

const rounds = new WeakMap<TenantRuntime, Map<string, Round>>();

function roundsOf(tenant: TenantRuntime): Map<string, Round> {
  let m = rounds.get(tenant);
  if (!m) rounds.set(tenant, (m = new Map()));
  return m;
}

function keep(tenant: TenantRuntime, round: Round): string {
  const m = roundsOf(tenant);
  const id = randomBytes(9).toString('base64url');
  m.set(id, round);
  if (m.size > ROUNDS_KEPT) m.delete(m.keys().next().value!);
  return id;
}

function tracked(sel: string[] | null): readonly string[] {
  if (!sel) return USERS.defaults;
  const out: string[] = [];
  for (const p of sel) {
    const name = USERS.propertyName(p);
    if (name && !out.includes(name)) out.push(name);
  }
  if (!out.includes('id')) out.push('id');
  return out;
}

function fingerprints(tenant: TenantRuntime, props: readonly string[]): Map<string, string> {
  const prints = new Map<string, string>();
  for (const [id, u] of tenant.directory.users) {
    prints.set(
      id,
      createHash('sha1')
        .update(objectJson(USERS, u, id, { select: props }))
        .digest('base64'),
    );
  }
  return prints;
}

export function serveUsersDelta(call: GraphCall): FastifyReply {
  const { ctx } = call;
  const tenant = call.caller.tenant;
  const q = parseQueryOptions(call.request);
  if (q.orderby || q.search !== undefined || q.filter) throw new GraphFailure(GRAPH_ERRORS.sortingNotSupported);
  const base = `${ctx.urls.graph}${rawPath(call.request)}`;
  const epoch = tenant.changes.epoch;

  let token: SkipToken;
  if (q.skiptoken !== undefined) {
    const t = openToken<SkipToken>(ctx, q.skiptoken, 'base64url');
    if (!t || t.k !== 's' || t.t !== tenant.id) throw new GraphFailure(GRAPH_ERRORS.badSkipToken);
    token = t;
  } else if (q.deltatoken !== undefined && q.deltatoken !== '' && q.deltatoken.toLowerCase() !== 'latest') {
    const t = openToken<DeltaToken>(ctx, q.deltatoken, 'base64url');
    if (!t || t.k !== 'd' || t.t !== tenant.id) throw new GraphFailure(GRAPH_ERRORS.badDeltaToken);
    const before = roundsOf(tenant).get(t.r);
    if (!before || t.e !== epoch || tenant.now() - t.at > TOKEN_LIFETIME_MS) throw resync(base, t.sel);
    // The changes round: compare now with the round the token ended.
    const prints = fingerprints(tenant, tracked(t.sel));
    const changed = [...prints].filter(([id, p]) => before.prints.get(id) !== p).map(([id]) => id);
    const removed = new Set([...before.prints.keys()].filter((id) => !prints.has(id)));
    const r = keep(tenant, { prints, changed: [...changed, ...removed].sort(), removed });
    token = { k: 's', t: tenant.id, e: epoch, r, sel: t.sel, at: tenant.now(), c: true, a: '' };
  } else {
    checkSelect(q.select, [USERS]);
    const sel = q.select ?? null;
    const r = keep(tenant, { prints: fingerprints(tenant, tracked(sel)) });
    if (q.deltatoken?.toLowerCase() === 'latest') {
      // "Sync from now": a delta link and no data (delta-query-overview).
      const d = sealToken(ctx, { k: 'd', t: tenant.id, e: epoch, r, sel, at: tenant.now() } satisfies DeltaToken, 'base64url');
      return sendJson(
        call,
        JSON.stringify({ '@odata.context': contextUrl(ctx.urls.graph, 'users'), '@odata.deltaLink': `${base}?$deltatoken=${d}`, value: [] }),
      );
    }
    token = { k: 's', t: tenant.id, e: epoch, r, sel, at: tenant.now(), c: false, a: '' };
  }

  const round = roundsOf(tenant).get(token.r);
  if (!round || token.e !== epoch) throw resync(base, token.sel);
  const ix = directoryIndex(tenant.directory);
  const ids = token.c ? round.changed! : ix.idsOf(USERS);
  // Resume after the last id served (binary search on the sorted ids).
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= token.a) lo = mid + 1;
    else hi = mid;
  }
  const page = ids.slice(lo, lo + USERS_PER_PAGE);
  const props = tracked(token.sel);
  const items = page.map((id) => {
    const u = tenant.directory.users.get(id);
    if (!u || round.removed?.has(id)) return JSON.stringify({ id, '@removed': { reason: 'changed' } });
    return objectJson(USERS, u, id, { select: props });
  });
  const head: Record<string, string> = {
    '@odata.context': contextUrl(ctx.urls.graph, 'users', {
      select: q.skiptoken === undefined && q.deltatoken === undefined ? (token.sel ?? undefined) : undefined,
    }),
  };
  if (lo + USERS_PER_PAGE < ids.length) {
    const next = sealToken(ctx, { ...token, a: page[page.length - 1]! } satisfies SkipToken, 'base64url');
    head['@odata.nextLink'] = `${base}?$skiptoken=${next}`;
  } else {
    const d = sealToken(ctx, { k: 'd', t: token.t, e: token.e, r: token.r, sel: token.sel, at: tenant.now() } satisfies DeltaToken, 'base64url');
    head['@odata.deltaLink'] = `${base}?$deltatoken=${d}`;
  }
  return sendJson(call, `${JSON.stringify(head).slice(0, -1)},"value":[${items.join(',')}]}`);
}

function resync(base: string, sel: string[] | null): GraphFailure {
  const restart = [...(sel ? [`$select=${encodeURIComponent(sel.join(','))}`] : []), '$deltatoken='].join('&');
  return new GraphFailure(GRAPH_ERRORS.deltaResync, { location: `${base}?${restart}` });
}
