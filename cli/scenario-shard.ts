/**
 * `scenarios run --shard i/n`: which scenarios machine i of n runs, so that a CI matrix splits a
 * catalog across machines — disjoint shards that together run every selected scenario once.
 *
 * Why not vitest's own `shard` option: it splits test *files*, and the whole catalog runs from
 * one file (harness/src/vitest/adapter.ts registers a test per scenario), so vitest would
 * give machine 1 everything and the others nothing. The split is done here instead, by scenario,
 * and handed to the run as filters (`<flow>/<id>`).
 *
 * A filter is a substring: `sso/rp-login` also selects `sso/rp-login-expired`. Names that contain
 * one another therefore go to the same shard, so a shard's filters select exactly its scenarios.
 */

export interface Shard {
  /** 1-based, as vitest and CI matrices number them. */
  index: number;
  count: number;
}

/** `2/3` → { index: 2, count: 3 }; undefined when it is not `i/n` with 1 ≤ i ≤ n. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return index >= 1 && count >= 1 && index <= count ? { index, count } : undefined;
}

/**
 * The names (`<flow>/<id>`, as listed) of shard `index` of `count`: contiguous runs of the sorted
 * groups, as vitest splits sorted files, so that the same catalog always splits the same way.
 */
export function shardOf(names: readonly string[], shard: Shard): string[] {
  const sorted = [...new Set(names)].sort();
  const lower = sorted.map((n) => n.toLowerCase());
  // Union-find over "one name contains another" (filters are case-insensitive).
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let a = 0; a < lower.length; a++) for (let b = 0; b < lower.length; b++) if (a !== b && lower[b]!.includes(lower[a]!)) parent[find(b)] = find(a);
  const groups = new Map<number, string[]>();
  sorted.forEach((name, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), name]);
  });
  const ordered = [...groups.values()].sort((x, y) => x[0]!.localeCompare(y[0]!));
  const from = Math.floor(((shard.index - 1) * ordered.length) / shard.count);
  const to = Math.floor((shard.index * ordered.length) / shard.count);
  return ordered.slice(from, to).flat();
}
