import { randomBytes } from 'node:crypto';
import type { Group } from '../directory/model.js';
import type { TenantDirectory } from '../directory/tenant-directory.js';

/**
 * Change tracking for Microsoft Graph's `groups/delta`: every directory replacement (the
 * test-control API's PUT/PATCH fixture) is one generation, numbered by `seq`; a delta token names
 * the generation it was issued at, and the next round returns what changed after it.
 *
 * Costs nothing until a client starts a delta round (`track()`): before that a replacement only
 * bumps `seq`. Memory stays bounded: generations are kept up to a total weight (one per changed
 * group plus one per changed membership) and a count; a token older than the oldest kept
 * generation gets Graph's "start over" answer (410), as an expired token does at Microsoft.
 */

export type MemberType = 'user' | 'group';

/** A group's properties without its member list (members are tracked as changes). */
export type GroupProperties = Omit<Group, 'members'>;

/** What one replacement did to one group. */
export interface GroupChange {
  id: string;
  /** The group before the change; absent when it was created. */
  before?: GroupProperties;
  /** The group after the change; absent when it was deleted. */
  after?: GroupProperties;
  membersAdded: Array<[id: string, type: MemberType]>;
  membersRemoved: Array<[id: string, type: MemberType]>;
}

/** What changed for one group across several generations. */
export interface MergedGroupChange {
  id: string;
  /** The group as the token's round saw it (absent: it did not exist then). */
  before?: GroupProperties;
  /** The group now (absent: it is gone). */
  after?: GroupProperties;
  /** It was deleted and created again in between: report its whole membership. */
  recreated: boolean;
  membersAdded: Map<string, MemberType>;
  membersRemoved: Map<string, MemberType>;
}

interface Generation {
  seq: number;
  changes: GroupChange[];
  weight: number;
}

const MAX_WEIGHT = 2_000_000;
const MAX_GENERATIONS = 1_000;

const properties = (g: Group): GroupProperties => {
  const { members: _members, ...rest } = g;
  return rest;
};

function typeIn(dir: TenantDirectory, id: string): MemberType | undefined {
  if (dir.users.has(id)) return 'user';
  if (dir.groups.has(id)) return 'group';
  return undefined;
}

/** The direct-membership differences between two versions of a group, by lowercase id. */
function memberDiff(
  prevDir: TenantDirectory,
  nextDir: TenantDirectory,
  before: string[],
  after: string[],
): Pick<GroupChange, 'membersAdded' | 'membersRemoved'> {
  const added: GroupChange['membersAdded'] = [];
  const removed: GroupChange['membersRemoved'] = [];
  if (before.length === after.length && before.every((m, i) => m === after[i])) return { membersAdded: added, membersRemoved: removed };
  const old = new Set(before.map((m) => m.toLowerCase()));
  const now = new Set(after.map((m) => m.toLowerCase()));
  for (const m of now) {
    if (old.has(m)) continue;
    const t = typeIn(nextDir, m);
    if (t) added.push([m, t]);
  }
  for (const m of old) {
    if (now.has(m)) continue;
    const t = typeIn(prevDir, m) ?? typeIn(nextDir, m);
    if (t) removed.push([m, t]);
  }
  return { membersAdded: added, membersRemoved: removed };
}

/** Every group that differs between two directories (created, deleted, properties, members). */
export function diffGroups(prev: TenantDirectory, next: TenantDirectory): GroupChange[] {
  const changes: GroupChange[] = [];
  for (const [id, g] of next.groups) {
    const old = prev.groups.get(id);
    if (!old) {
      changes.push({ id, after: properties(g), membersAdded: [], membersRemoved: [] });
      continue;
    }
    const props = old === g ? false : JSON.stringify(properties(old)) !== JSON.stringify(properties(g));
    const members = memberDiff(prev, next, old.members ?? [], g.members ?? []);
    if (props || members.membersAdded.length > 0 || members.membersRemoved.length > 0) {
      changes.push({ id, before: properties(old), after: properties(g), ...members });
    }
  }
  for (const [id, g] of prev.groups) {
    if (!next.groups.has(id)) changes.push({ id, before: properties(g), membersAdded: [], membersRemoved: [] });
  }
  return changes;
}

export class DirectoryChanges {
  /** Changes when the tenant is reset (or created again): tokens of an earlier epoch must start over. */
  epoch = randomBytes(6).toString('base64url');
  private current = 0;
  private tracking = false;
  private generations: Generation[] = [];
  private weight = 0;
  /** Tokens issued before this generation cannot be answered any more. */
  private floor = 0;

  /** The current generation. */
  get seq(): number {
    return this.current;
  }

  /** A delta round hands out a token: record changes from now on. Returns the current generation. */
  track(): number {
    if (!this.tracking) {
      this.tracking = true;
      this.floor = this.current;
    }
    return this.current;
  }

  /** The directory was replaced. */
  record(prev: TenantDirectory, next: TenantDirectory): void {
    this.current += 1;
    if (!this.tracking) {
      this.floor = this.current;
      return;
    }
    const changes = diffGroups(prev, next);
    if (changes.length === 0) return;
    const weight = changes.reduce((n, c) => n + 1 + c.membersAdded.length + c.membersRemoved.length, 0);
    this.generations.push({ seq: this.current, changes, weight });
    this.weight += weight;
    while (this.generations.length > 0 && (this.weight > MAX_WEIGHT || this.generations.length > MAX_GENERATIONS)) {
      const dropped = this.generations.shift()!;
      this.weight -= dropped.weight;
      this.floor = dropped.seq;
    }
  }

  /** Whether a token issued at `seq` (in this epoch) can still be answered. */
  canServe(seq: number): boolean {
    return seq >= this.floor && seq <= this.current;
  }

  /** Everything that changed after `seq`, per group; undefined when that is no longer known. */
  since(seq: number, until = this.current): Map<string, MergedGroupChange> | undefined {
    if (!this.canServe(seq)) return undefined;
    const merged = new Map<string, MergedGroupChange>();
    for (const gen of this.generations) {
      if (gen.seq <= seq || gen.seq > until) continue;
      for (const c of gen.changes) {
        let m = merged.get(c.id);
        if (!m) {
          m = { id: c.id, ...(c.before ? { before: c.before } : {}), recreated: false, membersAdded: new Map(), membersRemoved: new Map() };
          merged.set(c.id, m);
        } else if (!c.before && c.after) {
          m.recreated = true;
        }
        if (c.after) m.after = c.after;
        else delete m.after;
        for (const [id, t] of c.membersAdded) {
          if (m.membersRemoved.has(id)) m.membersRemoved.delete(id);
          else m.membersAdded.set(id, t);
        }
        for (const [id, t] of c.membersRemoved) {
          if (m.membersAdded.has(id)) m.membersAdded.delete(id);
          else m.membersRemoved.set(id, t);
        }
      }
    }
    return merged;
  }

  /** A tenant reset: forget everything; earlier tokens start over. */
  reset(): void {
    this.epoch = randomBytes(6).toString('base64url');
    this.tracking = false;
    this.generations = [];
    this.weight = 0;
    this.current += 1;
    this.floor = this.current;
  }
}
