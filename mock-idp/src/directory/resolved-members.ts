import type { Group, User } from './model.js';

/**
 * Group members resolved to positions: handed from the generator to the validator (hints), and
 * from the validator to TenantDirectory (what the members resolved to).
 *
 * Both walk every membership of a tenant — a million in a 100,000-user tenant — and would look
 * each member id up in a map of users; those lookups, cache misses all, are most of the cost of
 * checking and indexing such a tenant. The generator knows where every member it drew is, and
 * the validator resolves every member anyway (to check the references), so each passes on what
 * it knows, and the next one compares instead of looking up.
 *
 * Neither record is trusted blindly. A position is used only when the object there still has the
 * member's id (`users[p].id === member`: a reference compare when, as here, the member id is the
 * very string of the user's id), so a record made against arrays that changed since costs time,
 * never correctness: whatever does not match is looked up as usual.
 */

/** A member that did not resolve (or that was not recorded). */
export const UNRESOLVED = -0x80000000;

/**
 * Per membership, in group order and member order (group i's members at
 * `codes[offsets[i]] … codes[offsets[i + 1] − 1]`): the member's position in `users` (≥ 0),
 * −1 − its position in `groups` for a nested group, or {@link UNRESOLVED}.
 */
export interface MemberCodes {
  codes: Int32Array;
  /** groups.length + 1 entries. */
  offsets: Int32Array;
}

/** The validator's record, for TenantDirectory. */
export interface ResolvedMembers extends MemberCodes {
  /** The users array the positions point into, and its ids as they were. */
  users: readonly User[];
  userIds: readonly string[];
  /**
   * Whether the validator froze the users and groups right after resolving the members
   * ({@link freezeDirectoryObjects}): then nothing can have changed since, and the codes hold
   * as they are — no member needs comparing.
   */
  sealed: boolean;
  /** Sealed and without duplicate ids: each user's lowercased id and UPN, by position. */
  keys: SealedUserKeys | undefined;
}

export interface SealedUserKeys {
  ids: readonly string[];
  upns: readonly string[];
  /**
   * Lowercased UPN → user, when no two users share a UPN: handed to the first TenantDirectory
   * built from the record, which takes it ({@link takeUsersByUpn}) — a later one (a reset) builds
   * its own, so no two directories share a map.
   */
  usersByUpn: Map<string, User> | undefined;
}

/** The UPN map of a sealed record, once. */
export function takeUsersByUpn(keys: SealedUserKeys): Map<string, User> | undefined {
  const map = keys.usersByUpn;
  keys.usersByUpn = undefined;
  return map;
}

const resolvedRecords = new WeakMap<readonly Group[], ResolvedMembers>();

export function recordResolvedMembers(groups: readonly Group[], resolved: ResolvedMembers): void {
  resolvedRecords.set(groups, resolved);
}

/**
 * The record for these groups, when it was made against this users array and every user still
 * has the id it had then (a sequential compare of references); the caller compares each member.
 */
export function resolvedMembersOf(groups: readonly Group[], users: readonly User[]): ResolvedMembers | undefined {
  const resolved = resolvedRecords.get(groups);
  if (!resolved || resolved.users !== users || resolved.userIds.length !== users.length || resolved.offsets.length !== groups.length + 1) return undefined;
  if (resolved.sealed) return resolved;
  for (let i = 0; i < users.length; i++) if (resolved.userIds[i] !== users[i]!.id) return undefined;
  return resolved;
}

/**
 * The generator's hints for a merged tenant's groups: the groups from `groupsFrom` on are the
 * generated ones, and their members' codes are relative to the generated objects (user position
 * − `usersFrom`, −1 − group position + `groupsFrom`). A group's codes may be fewer than its
 * members (nested groups added later are not hinted): the rest are looked up.
 */
export interface MemberHints extends MemberCodes {
  usersFrom: number;
  groupsFrom: number;
  /**
   * The generated users and groups, when the generator froze them (GenerateOptions.freeze):
   * where a tenant still holds these very objects at `usersFrom` and `groupsFrom`, the codes of
   * their first members are true as they are — frozen lists of frozen groups, pointing at frozen
   * users — and need no compare.
   */
  generated?: { users: readonly User[]; groups: readonly Group[] };
}

const hintRecords = new WeakMap<readonly Group[], MemberHints>();

export function recordMemberHints(groups: readonly Group[], hints: MemberHints): void {
  hintRecords.set(groups, hints);
}

export function memberHintsOf(groups: readonly Group[]): MemberHints | undefined {
  const hints = hintRecords.get(groups);
  return hints && hints.groupsFrom + hints.offsets.length - 1 <= groups.length ? hints : undefined;
}

/**
 * Freezes a tenant's users and groups (objects, their arrays, the lists). TenantRuntime does so
 * with every tenant it runs (they are shared between its baseline and its directories); the
 * fixture loader does so as it validates its own documents, so the validator's record stays true.
 */
export function freezeDirectoryObjects(fixture: { users?: User[] | undefined; groups?: Group[] | undefined }): void {
  for (const user of fixture.users ?? []) {
    if (user.businessPhones) Object.freeze(user.businessPhones);
    Object.freeze(user);
  }
  for (const group of fixture.groups ?? []) {
    if (group.groupTypes) Object.freeze(group.groupTypes);
    if (group.members) Object.freeze(group.members);
    Object.freeze(group);
  }
  if (fixture.users) Object.freeze(fixture.users);
  if (fixture.groups) Object.freeze(fixture.groups);
}
