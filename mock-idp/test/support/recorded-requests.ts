/**
 * The requests a test's little HTTP server received, and a way to wait for one: the relying
 * party's callback, the SPA host's front-channel logout GET.
 */

export interface RecordedRequests {
  /** Every URL received, in order. */
  readonly hits: URL[];
  /** Records one request (the server calls it for every request it answers). */
  record(url: URL): void;
  /** Resolves with the next request whose path is `path` (already received ones count, oldest first). */
  next(path: string, timeoutMs: number, describe: (path: string) => string): Promise<URL>;
}

export function recordedRequests(): RecordedRequests {
  const hits: URL[] = [];
  const consumed = new Set<URL>();
  const waiters: Array<{ path: string; resolve: (u: URL) => void }> = [];
  return {
    hits,
    record(url) {
      hits.push(url);
      const i = waiters.findIndex((w) => w.path === url.pathname);
      if (i >= 0) {
        consumed.add(url);
        waiters.splice(i, 1)[0]!.resolve(url);
      }
    },
    next(path, timeoutMs, describe) {
      const seen = hits.find((u) => u.pathname === path && !consumed.has(u));
      if (seen) {
        consumed.add(seen);
        return Promise.resolve(seen);
      }
      return new Promise<URL>((resolve, reject) => {
        const waiter = {
          path,
          resolve: (u: URL) => {
            clearTimeout(timer);
            resolve(u);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${describe(path)} within ${timeoutMs} ms (received: ${hits.map(String).join(', ') || 'nothing'})`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
  };
}
