import type { TenantFixture } from '../directory/model.js';
import { TenantDirectory } from '../directory/tenant-directory.js';
import type { SigningKey } from '../keys/signing-keys.js';
import { TenantClock } from './clock.js';
import { RequestLog } from './request-log.js';

/**
 * A tenant while the mock runs: its directory, clock, signing keys, request log and revocations.
 * Everything a test changes lives here, so parallel tests in different tenants never meet.
 */
export class TenantRuntime {
  directory: TenantDirectory;
  readonly clock = new TenantClock();
  readonly log = new RequestLog();
  /** Rotated keys, newest first; empty means the machine key signs. */
  keys: SigningKey[] = [];
  /** After a rotation the machine key is still published until this time (tenant clock, ms). */
  machineKeyPublishedUntil = Infinity;
  /** Per user: refresh tokens and sessions issued before this time (ms) are revoked. */
  readonly tokensValidFrom = new Map<string, number>();
  /** Pre-serialized documents (discovery, JWKS), dropped when keys or the directory change. */
  readonly cache = new Map<string, string>();
  /** The fixture as loaded or created, for `reset`: patches and replacements are test state. */
  private readonly baseline: TenantFixture;

  constructor(fixture: TenantFixture) {
    this.baseline = structuredClone(fixture);
    this.directory = new TenantDirectory(structuredClone(fixture));
  }

  get id(): string {
    return this.directory.id;
  }

  now(): number {
    return this.clock.now();
  }

  /** The fixture as it is now (including consents given on the consent page). */
  currentFixture(): TenantFixture {
    return structuredClone(this.directory.fixture);
  }

  /** Replaces the directory (a patched or new fixture). State like codes is left to expire. */
  replaceFixture(fixture: TenantFixture): void {
    this.directory = new TenantDirectory(structuredClone(fixture));
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

  /** Back to the baseline fixture, real time, machine keys, empty log and revocations. */
  reset(): void {
    this.directory = new TenantDirectory(structuredClone(this.baseline));
    this.clock.reset();
    this.keys = [];
    this.machineKeyPublishedUntil = Infinity;
    this.log.clear();
    this.tokensValidFrom.clear();
    this.cache.clear();
  }
}
