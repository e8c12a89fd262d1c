import { randomUUID } from 'node:crypto';
import type { TenantFixture } from '../directory/model.js';
import { TenantDirectory } from '../directory/tenant-directory.js';
import { freezeDirectoryObjects } from '../directory/resolved-members.js';
import type { SigningKey } from '../keys/signing-keys.js';
import { TenantClock } from './clock.js';
import { DirectoryChanges } from './directory-changes.js';
import { EntraFaults } from './entra-faults.js';
import { GraphFaults } from './faults.js';
import { TenantMutations } from './mutations.js';
import { RequestLog } from './request-log.js';

/**
 * A tenant while the mock runs: its directory, clock, signing keys, request log and revocations.
 * Everything a test changes lives here, so parallel tests in different tenants never meet.
 */
export class TenantRuntime {
  directory: TenantDirectory;
  readonly clock = new TenantClock();
  /** Responses a test asked to be broken on purpose (test-control API); empty unless one did. */
  readonly mutations = new TenantMutations();
  readonly log = new RequestLog(this.mutations);
  /** Rotated keys, newest first; empty means the machine key signs. */
  keys: SigningKey[] = [];
  /** After a rotation the machine key is still published until this time (tenant clock, ms). */
  machineKeyPublishedUntil = Infinity;
  /** Per user: refresh tokens and sessions issued before this time (ms) are revoked. */
  readonly tokensValidFrom = new Map<string, number>();
  /**
   * Which life of this tenant id this is. Refresh tokens, SSO sessions and codes carry it, so a
   * tenant deleted and created again under the same id does not accept its predecessor's.
   * Tenants loaded at start share BOOT_INCARNATION, so a restart keeps them (the sealing key is
   * kept in the state dir for that); `reset` keeps it too.
   */
  readonly incarnation: string;
  /** SSO sessions (sid) ended by logout: their cookies no longer sign in. */
  readonly endedSessions = new EndedSessions();
  /**
   * Pre-serialized documents (discovery, JWKS), dropped when keys or the directory change. Kept
   * as bytes: a request then costs no UTF-8 encoding and no length count of a 2 KB string.
   */
  readonly cache = new Map<string, CachedDocument>();
  /** Faults injected into this tenant's Microsoft Graph calls (test-control API). */
  readonly faults = new GraphFaults();
  /** Faults injected into this tenant's Entra endpoints: token, authorize, devicecode, discovery (test-control API). */
  readonly entraFaults = new EntraFaults();
  /** Directory generations and what changed between them, for Graph's groups/delta. */
  readonly changes = new DirectoryChanges();
  /** The fixture as loaded or created, for `reset`: patches and replacements are test state. */
  private readonly baseline: TenantFixture;

  /**
   * Takes ownership of `fixture` (pass a copy if you keep changing yours): its users and groups
   * are frozen and shared by the baseline and every directory built from it, never copied — a
   * 100,000-user tenant would take seconds and hundreds of MiB per deep copy.
   */
  constructor(fixture: TenantFixture, incarnation: string = randomUUID()) {
    this.incarnation = incarnation;
    this.baseline = withFrozenDirectoryObjects(fixture);
    this.directory = new TenantDirectory(workingCopy(this.baseline));
  }

  get id(): string {
    return this.directory.id;
  }

  now(): number {
    return this.clock.now();
  }

  /** The fixture as it is now (including consents given on the consent page): a deep copy, the caller's to change. */
  currentFixture(): TenantFixture {
    return structuredClone(this.directory.fixture);
  }

  /**
   * Replaces the directory (a patched or new fixture). State like codes is left to expire.
   * Takes ownership of `fixture`, as the constructor does.
   */
  replaceFixture(fixture: TenantFixture): void {
    const previous = this.directory;
    this.directory = new TenantDirectory(workingCopy(withFrozenDirectoryObjects(fixture)));
    this.changes.record(previous, this.directory);
    this.cache.clear();
  }

  /** The key that signs this tenant's tokens now. */
  activeKey(machineKey: SigningKey): SigningKey {
    return this.keys[0] ?? machineKey;
  }

  /** Keys in this tenant's JWKS: the active one, then retiring ones until they retire. */
  publishedKeys(machineKey: SigningKey): SigningKey[] {
    const now = this.now();
    const keys = this.keys.filter((k, i) => i === 0 || k.publishedUntil > now);
    if (this.machineKeyPublishedUntil > now) keys.push(machineKey);
    return keys;
  }

  /** Starts signing with `key`; the previous key stays published for `retireAfterMs` (tenant clock). */
  rotate(key: SigningKey, retireAfterMs: number): void {
    const until = this.now() + retireAfterMs;
    const previous = this.keys[0];
    if (previous) previous.publishedUntil = until;
    else this.machineKeyPublishedUntil = until;
    this.keys.unshift(key);
    this.cache.clear();
  }

  /** Back to the baseline fixture, real time, machine keys, empty log and revocations, no Graph or Entra faults nor mutations; delta tokens start over. */
  reset(): void {
    this.directory = new TenantDirectory(workingCopy(this.baseline));
    this.clock.reset();
    this.keys = [];
    this.machineKeyPublishedUntil = Infinity;
    this.log.clear();
    this.tokensValidFrom.clear();
    this.cache.clear();
    this.faults.clear();
    this.entraFaults.clear();
    this.mutations.clear();
    this.changes.reset();
  }
}

/** The incarnation of tenants loaded from the fixtures at start (and of tokens sealed before incarnations existed). */
export const BOOT_INCARNATION = 'boot';

/**
 * Session ids ended by logout. Kept past `reset` (a logged-out browser stays logged out) and
 * bounded: past MAX the oldest are forgotten — by then their cookies have usually expired too
 * (UNCONFIRMED trade-off: a mock must not grow without bound when a script signs in and out
 * in a loop).
 */
export class EndedSessions {
  static readonly MAX = 10_000;
  private readonly sids = new Set<string>();

  add(sid: string): void {
    this.sids.add(sid);
    for (const oldest of this.sids) {
      if (this.sids.size <= EndedSessions.MAX) break;
      this.sids.delete(oldest);
    }
  }

  has(sid: string): boolean {
    return this.sids.has(sid);
  }

  get size(): number {
    return this.sids.size;
  }
}

/**
 * Freezes the fixture's users and groups (objects, their arrays, the lists): they are shared
 * between the baseline and the directories built from it, so a change would leak into `reset`.
 * Frozen, such a change throws (modules are strict mode) instead of corrupting the baseline.
 */
function withFrozenDirectoryObjects(fixture: TenantFixture): TenantFixture {
  freezeDirectoryObjects(fixture);
  return fixture;
}

/**
 * What a directory may change (TenantDirectory.recordUserConsent adds and edits consent grants):
 * the small parts copied, the users and groups shared (frozen).
 */
function workingCopy(fixture: TenantFixture): TenantFixture {
  const { users, groups, ...rest } = fixture;
  const copy: TenantFixture = structuredClone(rest);
  if (users) copy.users = users;
  if (groups) copy.groups = groups;
  return copy;
}

/** A serialized document and the tenant-clock time (ms) until which it holds (Infinity: until the cache is cleared). */
export interface CachedDocument {
  readonly body: Buffer;
  readonly until: number;
}
