/**
 * Short-lived single-use state (authorization codes, device codes). An interface, so that a
 * shared store (Redis…) can replace memory when several replicas serve one tenant; its
 * `consume` must then be atomic on the server side (GETSET / a Lua script), as it is here by
 * Node's single thread.
 */
export interface ShortLivedStore {
  /** Keeps `value` for `ttlMs` of real time (a backstop: protocol expiry uses the tenant clock). */
  put<T>(key: string, value: T, ttlMs: number): Promise<void>;
  /** Marks the entry used and returns it, with whether this call was the first use. */
  consume<T>(key: string): Promise<{ value: T; firstUse: boolean } | undefined>;
  get<T>(key: string): Promise<T | undefined>;
  delete(key: string): Promise<void>;
  /** Entries held now (for memory tests). */
  size(): number;
  close(): void;
}

interface Entry {
  value: unknown;
  used: boolean;
  expiresAt: number;
}

/** The in-process store: a Map swept every 30 s; the timer never keeps the process alive. */
export class MemoryStore implements ShortLivedStore {
  private readonly map = new Map<string, Entry>();
  private readonly timer: NodeJS.Timeout;

  constructor(sweepMs = 30_000) {
    this.timer = setInterval(() => this.sweep(), sweepMs);
    this.timer.unref();
  }

  async put<T>(key: string, value: T, ttlMs: number): Promise<void> {
    this.map.set(key, { value, used: false, expiresAt: Date.now() + ttlMs });
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
    this.map.delete(key);
  }

  size(): number {
    return this.map.size;
  }

  close(): void {
    clearInterval(this.timer);
    this.map.clear();
  }

  private live(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (e && e.expiresAt <= Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, e] of this.map) if (e.expiresAt <= now) this.map.delete(k);
  }
}
