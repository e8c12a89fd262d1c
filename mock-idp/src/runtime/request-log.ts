import { maskUrl } from '../support/secret-params.js';
import type { LoggedToken } from './logged-tokens.js';
import type { AppliedMutation, MutationAttribution } from './mutations.js';

/** One request as the mock saw it, attributed to a tenant. Read through /_mock/tenants/{id}/requests. */
export interface RequestLogEntry {
  /** ISO time by the tenant's clock. */
  time: string;
  method: string;
  /** Path and query, with secrets (client_secret, code, tokens, passwords: support/secret-params.ts) masked. Bodies are never logged. */
  url: string;
  /** Route id, e.g. `token`, `authorize`, `discovery.v2`. */
  endpoint: string;
  status: number;
  /** The grant or flow, when the endpoint has one (grant_type, response_type). */
  flow?: string;
  clientId?: string;
  /** AADSTS code of a refusal, or Graph error code. */
  aadsts?: number;
  error?: string;
  /** The test-control mutations that changed this response ("Broken on purpose"); absent when none did. */
  mutation?: readonly AppliedMutation[];
  /** Of an Entra error answer (body or page): the Trace ID, Correlation ID and Timestamp it shows, to find it by a customer's screenshot. */
  traceId?: string;
  correlationId?: string;
  /** Entra's `yyyy-MM-dd HH:mm:ssZ`, as the error shows it. */
  timestamp?: string;
  /** The user the issued or presented token names (preferred_username, upn or oid). */
  user?: string;
  /** Tokens issued or presented, decoded (header and claims only, never the compact token: runtime/logged-tokens.ts). */
  tokens?: readonly LoggedToken[];
  /** The console's own actions (one-click misconfigurations): what was changed. */
  note?: string;
  /** Position in the tenant's log (grows by one per request, survives the ring's overwriting and clearing): poll with `since`. Always set by the log. */
  seq?: number;
  durationMs: number;
}

const MAX_ENTRIES = 5_000;

/** What a request leaves in the log: raw values, formatted only when the log is read. */
interface RawEntry {
  timeMs: number;
  method: string;
  url: string;
  endpoint: string;
  status: number;
  flow: string | undefined;
  clientId: string | undefined;
  aadsts: number | undefined;
  error: string | undefined;
  mutation: readonly AppliedMutation[] | undefined;
  errorIds: LoggedErrorIds | undefined;
  tokens: readonly LoggedToken[] | undefined;
  user: string | undefined;
  note: string | undefined;
  seq: number;
  elapsedMs: number;
}

/** The ids an Entra error answer shows (errors/render.ts ErrorIds). */
export interface LoggedErrorIds {
  traceId: string;
  correlationId: string;
  timestamp: string;
}

/** The request's notes the log keeps (see RequestNotes). */
export interface LoggedNotes {
  endpoint: string;
  flow?: string | undefined;
  clientId?: string | undefined;
  aadsts?: number | undefined;
  error?: string | undefined;
  errorIds?: LoggedErrorIds | undefined;
  tokens?: readonly LoggedToken[] | undefined;
  user?: string | undefined;
  note?: string | undefined;
}

/**
 * A bounded log — a ring of the last 5,000 requests, so a long test run or a load test cannot
 * grow memory. Recording a request costs an object; the ISO time and the masked URL are
 * produced when someone reads the log. Tokens are kept decoded (a few KB each), never compact:
 * the ring bounds them as it bounds the rest.
 */
export class RequestLog {
  private ring: RawEntry[] = [];
  /** Index of the oldest entry once the ring is full. */
  private start = 0;
  private formatted: RequestLogEntry[] | undefined;
  /** The seq the next entry gets. */
  private next = 1;

  /** `mutations`: where a mutated response finds which mutations changed it (the tenant's queue). */
  constructor(private readonly mutations?: MutationAttribution) {}

  record(timeMs: number, method: string, url: string, n: LoggedNotes, status: number, elapsedMs: number): void {
    const mutation = this.mutations?.appliedTo(n);
    const e: RawEntry = {
      timeMs,
      method,
      url,
      endpoint: n.endpoint,
      status,
      flow: n.flow,
      clientId: n.clientId,
      aadsts: n.aadsts,
      error: n.error,
      mutation,
      errorIds: n.errorIds,
      tokens: n.tokens,
      user: n.user,
      note: n.note,
      seq: this.next++,
      elapsedMs,
    };
    if (this.ring.length < MAX_ENTRIES) this.ring.push(e);
    else {
      this.ring[this.start] = e;
      this.start = (this.start + 1) % MAX_ENTRIES;
    }
    this.formatted = undefined;
  }

  list(): readonly RequestLogEntry[] {
    if (!this.formatted) {
      const ordered = this.start === 0 ? this.ring : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
      this.formatted = ordered.map(format);
    }
    return this.formatted;
  }

  /** Entries after `seq` (oldest first): what a live view has not shown yet. */
  since(seq: number): readonly RequestLogEntry[] {
    const all = this.list();
    // seqs ascend: find the first newer one from the end, where a live view's new entries are.
    let i = all.length;
    while (i > 0 && (all[i - 1]!.seq ?? 0) > seq) i--;
    return all.slice(i);
  }

  clear(): void {
    this.ring = [];
    this.start = 0;
    this.formatted = undefined;
  }

  /** Entries held (for memory tests). */
  size(): number {
    return this.ring.length;
  }
}

function format(e: RawEntry): RequestLogEntry {
  return {
    time: new Date(e.timeMs).toISOString(),
    method: e.method,
    url: maskUrl(e.url),
    endpoint: e.endpoint,
    status: e.status,
    ...(e.flow !== undefined ? { flow: e.flow } : {}),
    ...(e.clientId !== undefined ? { clientId: e.clientId } : {}),
    ...(e.aadsts !== undefined ? { aadsts: e.aadsts } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.mutation !== undefined ? { mutation: e.mutation } : {}),
    ...(e.errorIds !== undefined ? { traceId: e.errorIds.traceId, correlationId: e.errorIds.correlationId, timestamp: e.errorIds.timestamp } : {}),
    ...(e.user !== undefined ? { user: e.user } : {}),
    ...(e.tokens !== undefined && e.tokens.length > 0 ? { tokens: e.tokens } : {}),
    ...(e.note !== undefined ? { note: e.note } : {}),
    seq: e.seq,
    durationMs: Math.round(e.elapsedMs * 100) / 100,
  };
}

/** Masked from the one list of secret parameters (support/secret-params.ts), which --log uses too. */
export { maskUrl };
