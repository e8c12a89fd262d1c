import * as client from 'openid-client';
import { GraphRequestError, readGraphError } from './bridge-error.js';

/**
 * Microsoft Graph reads for the bridge, through openid-client's `fetchProtectedResource` (so the
 * same customFetch / CA trust as the token calls): paging by `@odata.nextLink`, and throttling
 * handled as Graph documents it — on 429 (and 503) wait `Retry-After` seconds and retry, a bounded
 * number of times.
 * https://learn.microsoft.com/graph/throttling · https://learn.microsoft.com/graph/paging
 */

export interface GraphCounters {
  /** Graph requests sent, retries included. */
  requests: number;
  /** Requests retried after a 429/503. */
  retries: number;
}

export interface GraphRetryPolicy {
  /** Retries per request after 429/503 (default 5). */
  maxRetries: number;
  /** Upper bound of one wait, in ms (default 30 000): a huge Retry-After is capped, not obeyed. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: GraphRetryPolicy = { maxRetries: 5, maxDelayMs: 30_000 };

const RETRYABLE = new Set([429, 503]);

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class GraphReader {
  readonly counters: GraphCounters = { requests: 0, retries: 0 };

  constructor(
    private readonly config: client.Configuration,
    private readonly accessToken: string,
    /** e.g. `https://graph.microsoft.com/v1.0` */
    readonly base: string,
    private readonly retry: GraphRetryPolicy = DEFAULT_RETRY,
  ) {}

  url(pathAndQuery: string): URL {
    return new URL(`${this.base.replace(/\/+$/, '')}/${pathAndQuery.replace(/^\/+/, '')}`);
  }

  /** One GET with retries on 429/503; the parsed JSON body, or a GraphRequestError. */
  async get(url: URL): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      this.counters.requests++;
      let response: Response;
      try {
        response = await client.fetchProtectedResource(this.config, this.accessToken, url, 'GET', undefined, new Headers({ accept: 'application/json' }));
      } catch (err) {
        // A 401 with WWW-Authenticate comes back as a challenge error: read Graph's body from it.
        if (err instanceof client.WWWAuthenticateChallengeError) throw await readGraphError(err.response, url.href);
        throw err;
      }
      if (response.ok) return (await response.json()) as Record<string, unknown>;
      if (RETRYABLE.has(response.status) && attempt < this.retry.maxRetries) {
        const wait = Math.min(retryAfterMs(response.headers.get('retry-after')) ?? 1000 * 2 ** attempt, this.retry.maxDelayMs);
        await response.body?.cancel().catch(() => undefined);
        this.counters.retries++;
        await sleep(wait);
        continue;
      }
      throw await readGraphError(response, url.href);
    }
  }

  /**
   * Every item of a collection, following `@odata.nextLink` to the end. A next link to another
   * origin than the first page's is refused: the bearer token is not sent elsewhere.
   */
  async all(first: URL, onPage?: () => void): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let next: URL | undefined = first;
    while (next) {
      const page = await this.get(next);
      onPage?.();
      const value = page.value;
      if (!Array.isArray(value)) throw new GraphRequestError(200, 'UnexpectedResponse', `no "value" array in the page at ${next.href}`, next.href);
      items.push(...(value as Array<Record<string, unknown>>));
      const link = page['@odata.nextLink'];
      if (typeof link !== 'string') break;
      const nextUrl: URL = new URL(link, next);
      if (nextUrl.origin !== first.origin) throw new GraphRequestError(200, 'UnexpectedNextLink', `@odata.nextLink leaves ${first.origin}: ${link}`, next.href);
      next = nextUrl;
    }
    return items;
  }
}

/** Runs `work` over `items` with at most `limit` in flight; rejects on the first failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let i = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && i < items.length) {
      const index = i++;
      try {
        out[index] = await work(items[index]!, index);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
