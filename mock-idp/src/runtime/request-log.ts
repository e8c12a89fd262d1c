/** One request as the mock saw it, attributed to a tenant. Read through /_mock/tenants/{id}/requests. */
export interface RequestLogEntry {
  /** ISO time by the tenant's clock. */
  time: string;
  method: string;
  /** Path and query, with secrets (client_secret, code, tokens, passwords) masked. */
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
  durationMs: number;
}

const MAX_ENTRIES = 5_000;

/** A bounded log: the oldest entries go first, so a long test run cannot grow memory. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  add(e: RequestLogEntry): void {
    this.entries.push(e);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }
  list(): readonly RequestLogEntry[] {
    return this.entries;
  }
  clear(): void {
    this.entries = [];
  }
}

const SECRET_PARAMS = /([?&](?:client_secret|code|refresh_token|client_assertion|assertion|password|id_token_hint|access_token|code_verifier)=)[^&]*/gi;
export const maskUrl = (url: string): string => url.replace(SECRET_PARAMS, '$1***');
