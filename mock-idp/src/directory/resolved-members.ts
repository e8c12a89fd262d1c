import type { Group, User } from './model.js';

/**
 * Group members resolved to positions, handed from the validator to TenantDirectory.
 *
 * Both walk every membership of a tenant — a million in a 100,000-user tenant — and look each
 * member id up in a map of users; those lookups, cache misses all, are most of the cost of
 * indexing such a tenant. The validator resolves them anyway (to check the references), so it
 * records what it found here, and TenantDirectory appends to arrays by position instead of
 * looking the ids up again.
 *
 * A record is only as good as the arrays it was made from, so it keeps copies of what it relied
 * on — the user ids and every group's member ids, as they were — and the directory compares
 * them with the fixture's before trusting a position: sequential compares of (nearly always
 * identical) references, far cheaper than the lookups. Anything that changed since validation
 * is looked up as usual, so a stale record costs time, never correctness.
 */
export interface ResolvedMembers {
  /** The users array the positions point into, and its ids as they were. */
  users: readonly User[];
  userIds: readonly string[];
  /** Per group: its member ids as they were, and for each the member's position in `users` (≥ 0), −1 − its position in `groups` for a nested group, or {@link UNRESOLVED}. */
  members: ReadonlyArray<readonly string[]>;
  positions: Int32Array[];
}

export const UNRESOLVED = -0x80000000;

const records = new WeakMap<readonly Group[], ResolvedMembers>();

export function recordResolvedMembers(groups: readonly Group[], resolved: ResolvedMembers): void {
  records.set(groups, resolved);
}

/** The record for these groups, when it was made against this users array (its contents are for the caller to compare). */
export function resolvedMembersOf(groups: readonly Group[], users: readonly User[]): ResolvedMembers | undefined {
  const resolved = records.get(groups);
  return resolved && resolved.users === users && resolved.userIds.length === users.length && resolved.members.length === groups.length ? resolved : undefined;
}
