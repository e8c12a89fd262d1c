/**
 * Short-lived single-use state (authorization codes, sign-in page tokens, device codes). An
 * interface, so that a shared store (Redis…) can replace memory when several replicas serve one
 * tenant; its `consume` must then be atomic on the server side (GETSET / a Lua script), as it is
 * here by Node's single thread, and its capped groups a sorted set trimmed on insert.
 */

export interface ShortLivedStore {
  /**
   * Keeps `value` for `ttlMs` of real time (a backstop: protocol expiry uses the tenant clock).
   * With `cap`, the key joins a group that holds at most `cap.max` entries: the oldest are
   * dropped first, so one caller issuing entries in a loop cannot grow the heap without bound.
   */
  put<T>(key: string, value: T, ttlMs: number, cap?: StoreCap): Promise<void>;
  /** Marks the entry used and returns it, with whether this call was the first use. */
  consume<T>(key: string): Promise<{ value: T; firstUse: boolean } | undefined>;
  get<T>(key: string): Promise<T | undefined>;
  delete(key: string): Promise<void>;
  /** Entries held now (for memory tests). */
  size(): number;
  close(): void;
}

/** A bounded group of entries (e.g. one tenant's pending authorization codes). */
export interface StoreCap {
  group: string;
  max: number;
}

interface Entry {
  value: unknown;
  used: boolean;
  expiresAt: number;
  group?: string | undefined;
}

/** The in-process store: a Map swept every 30 s; the timer never keeps the process alive. */
export class MemoryStore implements ShortLivedStore {
  private readonly map = new Map<string, Entry>();
  /** Keys per capped group, in insertion order (a Set iterates oldest first). */
  private readonly groups = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout;

  constructor(sweepMs = 30_000) {
    this.timer = setInterval(() => this.sweep(), sweepMs);
    this.timer.unref();
  }

  async put<T>(key: string, value: T, ttlMs: number, cap?: StoreCap): Promise<void> {
    this.remove(key);
    this.map.set(key, { value, used: false, expiresAt: Date.now() + ttlMs, group: cap?.group });
    if (!cap) return;
    let keys = this.groups.get(cap.group);
    if (!keys) this.groups.set(cap.group, (keys = new Set()));
    keys.add(key);
    for (const oldest of keys) {
      if (keys.size <= cap.max) break;
      this.remove(oldest);
    }
  }

  async consume<T>(key: string): Promise<{ value: T; firstUse: boolean } | undefined> {
    const e = this.live(key);
    if (!e) return undefined;
    const firstUse = !e.used;
    e.used = true;
    return { value: e.value as T, firstUse };
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.live(key)?.value as T | undefined;
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  size(): number {
    return this.map.size;
  }

  close(): void {
    clearInterval(this.timer);
    this.map.clear();
    this.groups.clear();
  }

  private live(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (e && e.expiresAt <= Date.now()) {
      this.remove(key);
      return undefined;
    }
    return e;
  }

  private remove(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    if (e.group === undefined) return;
    const keys = this.groups.get(e.group);
    keys?.delete(key);
    if (keys?.size === 0) this.groups.delete(e.group);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, e] of this.map) if (e.expiresAt <= now) this.remove(k);
  }
}
