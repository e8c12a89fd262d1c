import type { Group } from '../directory/model.js';
import type { TenantDirectory } from '../directory/tenant-directory.js';
import { DIRECTORY_OBJECT_SETS, ENTITY_SETS, type EntitySet } from './entity-sets.js';
import { objectJson } from './object-json.js';

/**
 * Read indexes over one TenantDirectory for the Graph routes: sorted id arrays (each entity
 * set's, each group's members, each object's memberOf), transitive closures, sorted orders for
 * `$orderby`, filtered results, and the default JSON of each object. Built lazily, the first
 * time a Graph call needs them, and dropped with the directory: a fixture replacement builds a
 * new TenantDirectory, and this map is weak. So paging is a binary search on a sorted array,
 * never a scan per page, and a tenant nobody queries through Graph pays nothing.
 */

/** Small LRU for per-object or per-query arrays that can be large (transitive sets, filter results). */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): V {
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return v;
  }
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const ID_MARK = '@@mock-entra-id@@';

/**
 * A limited item's JSON split at its id. `between` joins two such items (`after` + `,` +
 * `before`), so a run of n of them is one `ids.join(between)`: a members page of users the caller
 * may not read is written without a string per item.
 */
export interface LimitedTemplate {
  before: string;
  after: string;
  between: string;
}
/** Per set, [untyped, typed]. Keyed by the set itself: no key string built per item. */
const LIMITED_TEMPLATES = new Map<EntitySet, Array<LimitedTemplate | undefined>>();

/** The limited item template of a set, typed (`@odata.type` first) or not. */
export function limitedTemplate(set: EntitySet, typed: boolean): LimitedTemplate {
  let templates = LIMITED_TEMPLATES.get(set);
  if (!templates) LIMITED_TEMPLATES.set(set, (templates = []));
  const i = typed ? 1 : 0;
  let t = templates[i];
  if (!t) {
    const [before, after] = objectJson(set, undefined, ID_MARK, { typed, limited: true }).split(ID_MARK) as [string, string];
    templates[i] = t = { before, after, between: `${after},${before}` };
  }
  return t;
}

export class DirectoryIndex {
  private readonly ids = new Map<EntitySet, string[]>();
  private readonly members = new Map<string, string[]>();
  private directMemberOf?: Map<string, string[]>;
  private readonly transitiveMembersCache = new Lru<string[]>(256);
  private readonly transitiveMemberOfCache = new Lru<string[]>(4096);
  private readonly orders = new Map<string, string[]>();
  /** Filter/search results per query key (see collection.ts). */
  readonly results = new Lru<string[]>(32);
  private readonly json = new Map<string, string>();
  /** For an id array this index built (a group's members), the entity set of each id, position by position. */
  private readonly setsBeside = new WeakMap<readonly string[], EntitySet[]>();

  constructor(readonly dir: TenantDirectory) {}

  /** All ids (lowercase) of an entity set's objects, sorted. */
  idsOf(set: EntitySet): string[] {
    let ids = this.ids.get(set);
    if (!ids) this.ids.set(set, (ids = [...set.objects(this.dir).keys()].sort(byId)));
    return ids;
  }

  /** The directory-object set holding this id, if any. */
  setOf(id: string): EntitySet | undefined {
    for (const set of DIRECTORY_OBJECT_SETS) if (set.objects(this.dir).has(id)) return set;
    return undefined;
  }

  /**
   * The entity set holding this id (the one object() would name), allocating nothing: every item
   * of every page asks, and a full member read of a large tenant asks a million times.
   */
  setHolding(id: string): EntitySet | undefined {
    for (const set of ENTITY_SETS) if (set.objects(this.dir).has(id)) return set;
    return undefined;
  }

  /** The entity sets of `ids`, position by position, when this index built that very array and knows them. */
  setsOf(ids: readonly string[]): readonly EntitySet[] | undefined {
    return this.setsBeside.get(ids);
  }

  /** The object with this id, with its set. */
  object(id: string): { set: EntitySet; o: unknown } | undefined {
    for (const set of ENTITY_SETS) {
      const o = set.objects(this.dir).get(id);
      if (o !== undefined) return { set, o };
    }
    return undefined;
  }

  /** A group's direct members that exist in the directory (users and groups), sorted. */
  membersOf(groupId: string): string[] {
    let m = this.members.get(groupId);
    if (!m) {
      const g = this.dir.groups.get(groupId);
      const ids = new Set((g?.members ?? []).map((x) => x.toLowerCase()));
      // Each member's set is found here anyway; kept beside the ids so a page's items need not look again.
      const found: Array<[string, EntitySet]> = [];
      for (const x of ids) {
        const set = this.setOf(x);
        if (set) found.push([x, set]);
      }
      found.sort((a, b) => byId(a[0], b[0]));
      m = found.map((f) => f[0]);
      this.setsBeside.set(
        m,
        found.map((f) => f[1]),
      );
      this.members.set(groupId, m);
    }
    return m;
  }

  /** Every user and group inside the group, through nested groups (nested groups included), sorted. */
  transitiveMembersOf(groupId: string): string[] {
    const cached = this.transitiveMembersCache.get(groupId);
    if (cached) return cached;
    const seen = new Set<string>();
    const queue = [groupId];
    while (queue.length > 0) {
      const g = queue.pop()!;
      for (const m of this.membersOf(g)) {
        if (seen.has(m) || m === groupId) continue;
        seen.add(m);
        if (this.dir.groups.has(m)) queue.push(m);
      }
    }
    return this.transitiveMembersCache.set(groupId, [...seen].sort(byId));
  }

  /** The groups an object is a direct member of, sorted. */
  memberOf(objectId: string): string[] {
    if (!this.directMemberOf) {
      const map = new Map<string, string[]>();
      for (const [id, groups] of this.dir.memberOf)
        map.set(id, [...new Set(groups.map((g) => g.toLowerCase()))].filter((g) => this.dir.groups.has(g)).sort(byId));
      this.directMemberOf = map;
    }
    return this.directMemberOf.get(objectId) ?? [];
  }

  /** Every group the object is in, directly or through nested groups, sorted. */
  transitiveMemberOf(objectId: string): string[] {
    const cached = this.transitiveMemberOfCache.get(objectId);
    if (cached) return cached;
    const seen = new Set<string>();
    const queue = [...this.memberOf(objectId)];
    while (queue.length > 0) {
      const g = queue.pop()!;
      if (seen.has(g) || g === objectId) continue;
      seen.add(g);
      for (const parent of this.memberOf(g)) queue.push(parent);
    }
    return this.transitiveMemberOfCache.set(objectId, [...seen].sort(byId));
  }

  /**
   * The groups an object is in through chains of security groups only (getMemberGroups with
   * securityEnabledOnly: a distribution or Microsoft 365 group in the chain breaks it —
   * microsoft-graph-docs-contrib#1809).
   */
  securityMemberOf(objectId: string, isSecurity: (g: Group) => boolean): string[] {
    const seen = new Set<string>();
    const queue = this.memberOf(objectId).filter((g) => isSecurity(this.dir.groups.get(g)!));
    while (queue.length > 0) {
      const g = queue.pop()!;
      if (seen.has(g) || g === objectId) continue;
      seen.add(g);
      for (const parent of this.memberOf(g)) if (isSecurity(this.dir.groups.get(parent)!)) queue.push(parent);
    }
    return [...seen].sort(byId);
  }

  /** Ids sorted by a property (case-insensitive), ties by id: the order `$orderby` asks for. */
  orderedBy(set: EntitySet, property: string, ids: string[], key: (id: string) => string): string[] {
    // The order of a whole set is kept; a relationship's is not (it would be one per object).
    const all = ids === this.idsOf(set);
    const cacheKey = `${set.name}:${property}`;
    const cached = all ? this.orders.get(cacheKey) : undefined;
    if (cached) return cached;
    const keyed = ids.map((id) => [key(id), id] as const);
    keyed.sort((a, b) => byId(a[0], b[0]) || byId(a[1], b[1]));
    const out = keyed.map((k) => k[1]);
    if (all) this.orders.set(cacheKey, out);
    return out;
  }

  /**
   * An item the caller may not read (type and id, every other property null), as JSON text:
   * the same for every object of a set but its id, so built from a template.
   */
  limitedJson(set: EntitySet, id: string, typed: boolean): string {
    const t = limitedTemplate(set, typed);
    return t.before + id + t.after;
  }

  /** The default representation of an object, as JSON text (cached). */
  defaultJson(id: string): string | undefined {
    let j = this.json.get(id);
    if (j === undefined) {
      const found = this.object(id);
      if (!found) return undefined;
      j = objectJson(found.set, found.o, id);
      this.json.set(id, j);
    }
    return j;
  }
}

const indexes = new WeakMap<TenantDirectory, DirectoryIndex>();

/** The index of this directory (built on first use, gone with the directory). */
export function directoryIndex(dir: TenantDirectory): DirectoryIndex {
  let ix = indexes.get(dir);
  if (!ix) {
    ix = new DirectoryIndex(dir);
    indexes.set(dir, ix);
  }
  return ix;
}
