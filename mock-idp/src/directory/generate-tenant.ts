import type { Faker } from '@faker-js/faker';
// The English locale alone: the package's main entry loads all ~70 locales (~200 ms more).
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import type { GenerateSpec, Group, User } from './model.js';
import { MAX_NESTING_DEPTH, MAX_ORDINARY_DIRECT_MEMBERSHIPS, planGeneration, type GenerationPlan } from './generate-spec.js';
import { freezeDirectoryObjects, memberHintsOf, recordMemberHints } from './resolved-members.js';

/** What the generated objects must fit into. */
export interface GenerateOptions {
  /** Domain of member UPNs, member mail and group mail; guests' `#EXT#` UPNs end with it too. */
  domain: string;
  /** Users already in the tenant: generated UPNs avoid theirs. */
  existingUsers?: readonly User[];
  /** Groups already in the tenant: generated mailNicknames avoid theirs. */
  existingGroups?: readonly Group[];
  /**
   * Freeze the generated users and groups (objects, their arrays, the lists). The fixture
   * loader's own load asks for it (it freezes them as it validates them anyway): the validator
   * can then trust where the generator put each member without comparing a million ids.
   */
  freeze?: boolean;
}

export interface GeneratedDirectory {
  users: User[];
  groups: Group[];
}

/**
 * Generates users and groups from a spec (model.ts GenerateSpec). Deterministic: the same spec
 * and options always give the same objects, ids included, whatever else runs in the process —
 * the Faker instance is this call's own, seeded with `spec.seed`.
 *
 * Built for 100,000 users and 20,000 groups in well under a second: Faker (a few µs per call)
 * fills small name pools once; the bulk — names, ids, memberships — comes from a seeded sfc32
 * generator (itself seeded by Faker), at a few ns per number. A new @faker-js/faker version may
 * change the pools, which is why the dependency is pinned exactly.
 *
 * Shape of the result:
 * - members `First.Last@{domain}` (a number appended on repeats), mail the same address unless
 *   they are among the users without mail; guests `first.last_{their domain}#EXT#@{domain}`,
 *   `userType: Guest`, mail at their home domain;
 * - security groups (`groupTypes: []`, securityEnabled) and Microsoft 365 groups
 *   (`["Unified"]`, mailEnabled, `mail`, `mailNickname`); only security groups nest (Entra
 *   refuses groups in Microsoft 365 groups and Microsoft 365 groups in groups), chains at most
 *   three deep and acyclic (a parent always comes before its children in `groups`);
 * - ordinary users in a Poisson-distributed number of groups around `membershipsPerUser`, with
 *   popularity skewed (the first groups are the big ones, like "All staff" in a real tenant),
 *   and never in more than 200 groups even counting nested ones; the `usersInManyGroups` users in
 *   exactly `groups` security groups each.
 *
 * @example
 * const { users, groups } = generateDirectory({ seed: 7, users: 1000, groups: 100 }, { domain: 'contoso.onmicrosoft.com' });
 */
export function generateDirectory(spec: GenerateSpec, options: GenerateOptions): GeneratedDirectory {
  const plan = planGeneration(spec);
  // This call's own `new Faker({ locale: [en, base] })`: the class and the merged English
  // definitions come from the English entry's shared instance, which is never seeded or used.
  const FakerClass = englishFaker.constructor as typeof Faker;
  const faker = new FakerClass({ locale: englishFaker.rawDefinitions, seed: plan.seed });
  const pools = namePools(faker);
  const word = (): number => faker.number.int({ min: 0, max: 0xffffffff }) | 0;
  const random = new Sfc32(word(), word(), word(), word());

  const users = generateUsers(plan, pools, random, options);
  const groups = generateGroups(plan, pools, random, options);
  addUserMemberships(plan, users, groups, random);
  nestGroups(plan, groups, random);
  if (options.freeze) {
    freezeDirectoryObjects({ users, groups });
    const hints = memberHintsOf(groups);
    if (hints) recordMemberHints(groups, { ...hints, generated: { users, groups } });
  }
  return { users, groups };
}

// ---------------------------------------------------------------------------------------------
// Randomness

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, passes
 * PractRand, a few additions per number — Faker's Mersenne Twister with its argument checks is
 * ~20 times slower, which matters at millions of draws. Every method returns a small integer
 * (a V8 Smi): a 32-bit or floating-point result of a call that is not inlined is boxed on the
 * heap, and ten million boxes cost more garbage collection than everything else here.
 */
class Sfc32 {
  private readonly state: Int32Array;

  constructor(a: number, b: number, c: number, d: number) {
    this.state = Int32Array.of(a, b, c, d);
    for (let i = 0; i < 12; i++) this.next30();
  }

  /** A uniform integer in [0, 2^30). */
  next30(): number {
    const s = this.state;
    const a = s[0]!;
    const b = s[1]!;
    const c = s[2]!;
    const d = s[3]!;
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 2;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.next30() / 1073741824) * n);
  }

  /**
   * An integer in [0, n) skewed towards 0: the square of a uniform number, so x is drawn with
   * probability ∝ 1/√x — group 0 is the "All staff" of the tenant, the last ones are small teams.
   */
  skewedBelow(n: number): number {
    const u = this.next30() / 1073741824;
    return Math.floor(u * u * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /**
   * A random (version 4 layout) GUID. Written as bytes and read back as one flat string:
   * template-literal GUIDs are rope strings, three times slower to build and to hash.
   */
  uuid(): string {
    writeHex(this.next30(), 0, 7);
    writeHex(this.next30(), 7, 1); // hex digits 0–7 from two draws: 30 bits each
    writeHex(this.next30(), 9, 4);
    writeHex(0x4000 | this.below(0x1000), 14, 4);
    writeHex(0x8000 | this.below(0x4000), 19, 4);
    writeHex(this.next30(), 24, 6);
    writeHex(this.next30(), 30, 6);
    return GUID_BYTES.toString('latin1', 0, 36);
  }

  /** Poisson-distributed count with this mean (Knuth's method: fine for means up to ~50). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next30() / 1073741824;
    while (p > limit) {
      k++;
      p *= this.next30() / 1073741824;
    }
    return k;
  }

  /** Moves `count` uniformly chosen elements of `items` to its front (partial Fisher–Yates). */
  shuffleFront(items: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const j = i + this.below(items.length - i);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
  }
}

const GUID_BYTES = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** Writes the low `digits` hex digits of `value` into GUID_BYTES at `offset`. */
function writeHex(value: number, offset: number, digits: number): void {
  for (let i = offset + digits - 1; i >= offset; i--) {
    GUID_BYTES[i] = HEX_DIGITS[value & 15]!;
    value >>>= 4;
  }
}

/** 0, 1, … n − 1. */
function range(n: number): Int32Array {
  const items = new Int32Array(n);
  for (let i = 0; i < n; i++) items[i] = i;
  return items;
}

// ---------------------------------------------------------------------------------------------
// Names

interface Name {
  text: string;
  /** Letters only, for addresses: "O'Keefe" → "OKeefe". */
  alias: string;
  /** The alias lowercased: addresses are unique case-insensitively. */
  key: string;
  /** Position of `key` among the pool's distinct keys: counters are arrays, not string maps. */
  keyId: number;
}

interface Pool<T> {
  items: T[];
  /** Distinct keys (for Name pools). */
  keys: number;
}

interface NamePools {
  firstNames: Pool<Name>;
  lastNames: Pool<Name>;
  jobTitles: string[];
  offices: string[];
  guestDomains: string[];
  departments: Pool<Name>;
  teams: Pool<Name>;
}

/** Faker's part: a few thousand calls, once, in a fixed order. */
function namePools(faker: Faker): NamePools {
  const draw = (n: number, make: () => string): string[] => [...new Set(Array.from({ length: n }, make))];
  const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return {
    firstNames: namePool(draw(1000, () => faker.person.firstName())),
    lastNames: namePool(draw(1000, () => faker.person.lastName())),
    jobTitles: draw(300, () => faker.person.jobTitle()),
    offices: draw(60, () => faker.location.city()),
    guestDomains: draw(200, () => faker.internet.domainName()),
    departments: namePool(draw(100, () => faker.commerce.department())),
    teams: namePool(draw(400, () => capitalized(faker.company.buzzNoun()))),
  };
}

function namePool(texts: string[]): Pool<Name> {
  const keyIds = new Map<string, number>();
  const items = texts.map((text): Name => {
    const alias = text.normalize('NFD').replace(/[^A-Za-z]/g, '') || 'x';
    const key = alias.toLowerCase();
    let keyId = keyIds.get(key);
    if (keyId === undefined) keyIds.set(key, (keyId = keyIds.size));
    return { text, alias, key, keyId };
  });
  return { items, keys: keyIds.size };
}

/**
 * Numbers repeated names: the first stays as it is, later ones get 2, 3… appended. Names are
 * letters (and separators) only, so a numbered name never equals another one's first form.
 */
class Numbering {
  private readonly counts: Uint32Array | undefined;
  private readonly sparse = new Map<number, number>();

  /** `keys`: how many different keys there can be (a dense array when that is small enough). */
  constructor(keys: number) {
    if (keys <= 4_000_000) this.counts = new Uint32Array(keys);
  }

  /** 1 the first time `key` is seen, then 2, 3… */
  next(key: number): number {
    if (this.counts) return ++this.counts[key]!;
    const n = (this.sparse.get(key) ?? 0) + 1;
    this.sparse.set(key, n);
    return n;
  }
}

const numbered = (name: string, n: number): string => (n === 1 ? name : name + n);

// ---------------------------------------------------------------------------------------------
// Users

const MEMBER_WITH_MAIL = 0;
const GUEST = 1;
const MEMBER_WITHOUT_MAIL = 2;

/** Picks names and numbers them; one per tenant generation. */
class UserFactory {
  private readonly memberAliases: Numbering;
  private readonly guestAddresses: Numbering;
  private readonly existingUpns: Set<string>;

  constructor(
    private readonly pools: NamePools,
    private readonly random: Sfc32,
    private readonly domain: string,
    existingUsers: readonly User[],
  ) {
    const { firstNames, lastNames, guestDomains } = pools;
    this.memberAliases = new Numbering(firstNames.keys * lastNames.keys);
    this.guestAddresses = new Numbering(firstNames.keys * lastNames.keys * guestDomains.length);
    // Every generated UPN ends with @{domain}: only existing UPNs that do can be taken (none, when
    // the base tenant's users are at another domain — then no generated UPN is lowercased to check).
    const suffix = `@${domain.toLowerCase()}`;
    this.existingUpns = new Set(existingUsers.map((u) => u.userPrincipalName.toLowerCase()).filter((upn) => upn.endsWith(suffix)));
  }

  private taken(upn: string): boolean {
    return this.existingUpns.size > 0 && this.existingUpns.has(upn.toLowerCase());
  }

  member(withMail: boolean): User {
    const { random, pools } = this;
    const first = random.pick(pools.firstNames.items);
    const last = random.pick(pools.lastNames.items);
    const id = random.uuid();
    const alias = `${first.alias}.${last.alias}`;
    const key = first.keyId * pools.lastNames.keys + last.keyId;
    let upn: string;
    do upn = `${numbered(alias, this.memberAliases.next(key))}@${this.domain}`;
    while (this.taken(upn));
    return {
      id,
      userPrincipalName: upn,
      displayName: `${first.text} ${last.text}`,
      givenName: first.text,
      surname: last.text,
      mail: withMail ? upn : null,
      jobTitle: random.pick(pools.jobTitles),
      officeLocation: random.pick(pools.offices),
      userType: 'Member',
    };
  }

  /**
   * An invited guest: Entra derives the UPN from the invited address (alice@fabrikam.com →
   * alice_fabrikam.com#EXT#@contoso.onmicrosoft.com) and keeps that address as mail.
   */
  guest(): User {
    const { random, pools } = this;
    const first = random.pick(pools.firstNames.items);
    const last = random.pick(pools.lastNames.items);
    const id = random.uuid();
    const homeIndex = random.below(pools.guestDomains.length);
    const home = pools.guestDomains[homeIndex]!;
    const alias = `${first.key}.${last.key}`;
    const key = (first.keyId * pools.lastNames.keys + last.keyId) * pools.guestDomains.length + homeIndex;
    let local: string;
    do local = numbered(alias, this.guestAddresses.next(key));
    while (this.taken(`${local}_${home}#EXT#@${this.domain}`));
    return {
      id,
      userPrincipalName: `${local}_${home}#EXT#@${this.domain}`,
      displayName: `${first.text} ${last.text}`,
      givenName: null,
      surname: null,
      mail: `${local}@${home}`,
      jobTitle: null,
      officeLocation: null,
      userType: 'Guest',
    };
  }
}

function generateUsers(plan: GenerationPlan, pools: NamePools, random: Sfc32, options: GenerateOptions): User[] {
  const n = plan.users;
  const kinds = new Uint8Array(n);
  const order = range(n);
  random.shuffleFront(order, Math.min(n, plan.guests + plan.usersWithoutMail));
  for (let k = 0; k < plan.guests; k++) kinds[order[k]!] = GUEST;
  for (let k = plan.guests; k < plan.guests + plan.usersWithoutMail; k++) kinds[order[k]!] = MEMBER_WITHOUT_MAIL;

  const factory = new UserFactory(pools, random, options.domain, options.existingUsers ?? []);
  const users: User[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i];
    users.push(kind === GUEST ? factory.guest() : factory.member(kind === MEMBER_WITH_MAIL));
  }
  return users;
}

// ---------------------------------------------------------------------------------------------
// Groups

function generateGroups(plan: GenerationPlan, pools: NamePools, random: Sfc32, options: GenerateOptions): Group[] {
  const n = plan.groups;
  const unified = new Uint8Array(n);
  const order = range(n);
  random.shuffleFront(order, plan.microsoft365Groups);
  for (let k = 0; k < plan.microsoft365Groups; k++) unified[order[k]!] = 1;

  const existingNicknames = new Set((options.existingGroups ?? []).flatMap((g) => (g.mailNickname ? [g.mailNickname.toLowerCase()] : [])));
  const names = new Numbering(pools.departments.keys * pools.teams.keys);
  const groups: Group[] = [];
  for (let i = 0; i < n; i++) {
    const id = random.uuid();
    const department = random.pick(pools.departments.items);
    const team = random.pick(pools.teams.items);
    // The display name and the mail nickname share the number, so both are unique (nicknames
    // must be: they make the group's mail address).
    const key = department.keyId * pools.teams.keys + team.keyId;
    let number: number;
    do number = names.next(key);
    while (existingNicknames.size > 0 && existingNicknames.has(numbered(department.key + team.key, number)));
    const displayName = number === 1 ? `${department.text} ${team.text}` : `${department.text} ${team.text} ${number}`;
    const mailNickname = numbered(`${department.key}${team.key}`, number);
    groups.push(
      unified[i]
        ? {
            id,
            displayName,
            groupTypes: ['Unified'],
            securityEnabled: false,
            mailEnabled: true,
            mail: `${mailNickname}@${options.domain}`,
            mailNickname,
            members: [],
          }
        : { id, displayName, groupTypes: [], securityEnabled: true, mailEnabled: false, mail: null, mailNickname, members: [] },
    );
  }
  return groups;
}

/** Positions (in `groups`) of the security groups, ascending. */
function securityGroupPositions(groups: Group[]): Int32Array {
  const positions: number[] = [];
  for (let i = 0; i < groups.length; i++) if (groups[i]!.securityEnabled) positions.push(i);
  return Int32Array.from(positions);
}

/** Each user's groups, drawn in user order: `picks` from `userEnd[i - 1]` to `userEnd[i]`. */
interface DrawnMemberships {
  picks: GrowableInt32Array;
  userEnd: Int32Array;
}

function addUserMemberships(plan: GenerationPlan, users: User[], groups: Group[], random: Sfc32): void {
  if (users.length === 0 || groups.length === 0) return;
  const drawn = drawMemberships(plan, users.length, groups, random);
  const { lists, codes, offsets } = memberLists(drawn, users, groups.length);
  for (let x = 0; x < groups.length; x++) groups[x]!.members = lists[x]!;
  // Where each member is, for the validator (resolved-members.ts): it then compares
  // `users[p].id === member` instead of looking a million ids up. Nested groups, added below,
  // are not hinted (a few hundred lookups).
  recordMemberHints(groups, { codes, offsets, usersFrom: 0, groupsFrom: 0 });
}

function drawMemberships(plan: GenerationPlan, n: number, groups: Group[], random: Sfc32): DrawnMemberships {
  const g = groups.length;
  const inManyGroups = new Uint8Array(n);
  const order = range(n);
  random.shuffleFront(order, plan.usersInManyGroups);
  for (let k = 0; k < plan.usersInManyGroups; k++) inManyGroups[order[k]!] = 1;

  const picks = new GrowableInt32Array(n * plan.membershipsPerUser * 1.1 + plan.usersInManyGroups * plan.manyGroups);
  const userEnd = new Int32Array(n);
  const security = securityGroupPositions(groups);
  const all = range(g);
  /** `chosen[x] === i` once user i joined group x: distinct picks without a set per user. */
  const chosen = new Int32Array(g).fill(-1);
  const limit = Math.min(MAX_ORDINARY_DIRECT_MEMBERSHIPS, g);
  for (let i = 0; i < n; i++) {
    if (inManyGroups[i]) {
      random.shuffleFront(security, plan.manyGroups);
      picks.pushFirst(security, plan.manyGroups);
    } else {
      const count = Math.min(random.poisson(plan.membershipsPerUser), limit);
      if (count * 2 > g) {
        // Most of a small set of groups: a partial shuffle beats rejection.
        random.shuffleFront(all, count);
        picks.pushFirst(all, count);
      } else {
        // Skewed towards the first groups: 20,000 groups range from thousands of members down
        // to a dozen, as in real tenants.
        pickSkewed(random, g, count, i, chosen, picks);
      }
    }
    userEnd[i] = picks.length;
  }
  return { picks, userEnd };
}

function pickSkewed(random: Sfc32, g: number, count: number, user: number, chosen: Int32Array, picks: GrowableInt32Array): void {
  for (let k = 0; k < count; k++) {
    let x: number;
    do x = random.skewedBelow(g);
    while (chosen[x] === user);
    chosen[x] = user;
    picks.push(x);
  }
}

/**
 * Member lists allocated at their final size, in user order (so in directory order); with each
 * member's position in `users`, group x's at `codes[offsets[x]] … codes[offsets[x + 1] − 1]`.
 * The positions are laid out first (typed arrays only), then each list is filled from its own
 * consecutive codes: writing a million ids straight into 20,000 arrays in draw order would
 * touch a different array, far from the last, at every step.
 */
function memberLists({ picks, userEnd }: DrawnMemberships, users: User[], g: number): { lists: string[][]; codes: Int32Array; offsets: Int32Array } {
  const data = picks.view();
  const offsets = new Int32Array(g + 1);
  for (let k = 0; k < data.length; k++) offsets[data[k]! + 1]!++;
  for (let x = 0; x < g; x++) offsets[x + 1]! += offsets[x]!;
  const codes = new Int32Array(data.length);
  const filled = offsets.slice(0, g);
  for (let i = 0, k = 0; i < users.length; i++) {
    for (const end = userEnd[i]!; k < end; k++) codes[filled[data[k]!]!++] = i;
  }
  const ids = users.map((u) => u.id);
  const lists: string[][] = [];
  for (let x = 0; x < g; x++) {
    const from = offsets[x]!;
    const list = new Array<string>(offsets[x + 1]! - from);
    for (let f = 0; f < list.length; f++) list[f] = ids[codes[from + f]!]!;
    lists.push(list);
  }
  return { lists, codes, offsets };
}

/** An Int32Array that doubles when full. */
class GrowableInt32Array {
  private data: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, Math.ceil(capacity)));
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  /** Appends `items[0 .. count)`. */
  pushFirst(items: Int32Array, count: number): void {
    while (this.length + count > this.data.length) this.grow();
    this.data.set(items.subarray(0, count), this.length);
    this.length += count;
  }

  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  private grow(): void {
    const bigger = new Int32Array(this.data.length * 2);
    bigger.set(this.data);
    this.data = bigger;
  }
}

/**
 * Makes `nestedGroups` security groups members of an earlier security group: a parent always
 * precedes its child in `groups`, so there is no cycle, and a parent is chosen only while it is
 * at most MAX_NESTING_DEPTH − 1 levels deep itself.
 */
function nestGroups(plan: GenerationPlan, groups: Group[], random: Sfc32): void {
  const security = securityGroupPositions(groups);
  const count = Math.min(plan.nestedGroups, Math.max(0, security.length - 1));
  if (count === 0) return;
  // Children: `count` of the security groups after the first (which stays a root). Positions
  // here are indexes into `security`.
  const candidates = range(security.length - 1).map((k) => k + 1);
  random.shuffleFront(candidates, count);
  const isChild = new Uint8Array(security.length);
  for (let k = 0; k < count; k++) isChild[candidates[k]!] = 1;

  const depth = new Uint8Array(security.length);
  for (let k = 1; k < security.length; k++) {
    if (!isChild[k]) continue;
    let parent = random.below(k);
    while (depth[parent]! >= MAX_NESTING_DEPTH) parent--; // ends at 0 at the latest: never a child
    depth[k] = depth[parent]! + 1;
    groups[security[parent]!]!.members!.push(groups[security[k]!]!.id);
  }
}
