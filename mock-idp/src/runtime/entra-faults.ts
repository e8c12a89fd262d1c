import { seededShare } from './faults.js';

/**
 * Faults a test injects into one tenant's Entra endpoints — the token endpoint, authorize, the
 * device authorization endpoint, discovery and its keys — in the shapes Entra fails with, so a
 * client's retry logic for token acquisition can be tested:
 *
 * - `throttled`: HTTP 429, `Retry-After: 60`, a plain-text body "Too Many Requests" — what
 *   Entra answers a client_credentials caller over its limits
 *   (https://learn.microsoft.com/entra/msal/dotnet/advanced/client-and-server-throttling — MSAL.NET's
 *   throttling documentation — and AzureAD/microsoft-authentication-library-for-dotnet #2855;
 *   UNCONFIRMED for the other endpoints, where the mock answers the same);
 * - `request_loop`: `invalid_grant` AADSTS50196, Entra's answer to a user flow repeated too
 *   often (Azure/azure-sdk-for-net #23324, pnp/powershell #2995);
 * - `temporarily_unavailable`: HTTP 503 `temporarily_unavailable` AADSTS90033, the transient
 *   failure (Azure/azure-sdk-for-python #14241);
 * - `server_error`: HTTP 500 `server_error` AADSTS50000, Entra's outage answer ("There was an
 *   error issuing a token or an issue with our sign-in service.", the error code reference's
 *   TokenIssuanceError; UNCONFIRMED as a whole body, and on authorize, where the mock answers the
 *   same JSON rather than a page);
 * - latency, alone or before any of them.
 *
 * Set through the test-control API (surfaces/control/faults.ts), applied by the Entra surface's
 * faults hook (surfaces/entra/fault-hook.ts) to requests in this tenant only. Bounded like Graph's
 * (runtime/faults.ts): at most 100 per tenant, exact matchers only (endpoint, grant type, client
 * id — nothing a test's pattern could make slow), `count`/`limit` make them expire, a tenant
 * reset clears them.
 */

export const ENTRA_FAULT_ENDPOINTS = ['token', 'authorize', 'devicecode', 'discovery', 'keys'] as const;
export type EntraFaultEndpoint = (typeof ENTRA_FAULT_ENDPOINTS)[number];
export const ENTRA_FAULT_ANSWERS = ['throttled', 'request_loop', 'temporarily_unavailable', 'server_error'] as const;
export type EntraFaultAnswer = (typeof ENTRA_FAULT_ANSWERS)[number];

/** What a test asks for (the body of POST /_mock/tenants/{id}/entra/faults). */
export interface EntraFaultSpec {
  /** How the endpoint fails. Absent: a latency-only fault. */
  answer?: EntraFaultAnswer;
  /** Added before answering (or before failing), in milliseconds. */
  latencyMs?: number;
  /** Which endpoint (v1 and v2 alike). Default `token`. */
  endpoint?: EntraFaultEndpoint;
  /** Token endpoint only: only this grant_type (e.g. `client_credentials`). */
  grantType?: string;
  /** Only requests naming this client_id. */
  clientId?: string;
  /** Fault the next `count` matching requests, then expire. */
  count?: number;
  /** Fault this share (0–1) of matching requests, chosen by a generator seeded with `seed`. */
  rate?: number;
  seed?: number;
  /** With `rate`: expire after this many faults. */
  limit?: number;
  /** `throttled`: the Retry-After header in seconds (default 60, as Entra). */
  retryAfterSeconds?: number;
}

/** A fault as the control API lists it. */
export interface EntraFault extends EntraFaultSpec {
  id: string;
  endpoint: EntraFaultEndpoint;
  /** Matching requests seen so far. */
  matched: number;
  /** Requests this fault has failed or delayed. */
  applied: number;
  /** Faults left before it expires (`count` or `limit`); absent when unlimited. */
  remaining?: number;
}

/** What one request has to suffer. */
export interface EntraFaultOutcome {
  latencyMs: number;
  failure?: { answer: EntraFaultAnswer; retryAfterSeconds: number; faultId: string };
}

/** What a request is, for matching. */
export interface EntraFaultTarget {
  endpoint: EntraFaultEndpoint;
  grantType?: string | undefined;
  clientId?: string | undefined;
}

const MAX_FAULTS = 100;
const MAX_STRING = 200;
const KNOWN = new Set(['answer', 'latencyMs', 'endpoint', 'grantType', 'clientId', 'count', 'rate', 'seed', 'limit', 'retryAfterSeconds']);

/** The spec's problems, as messages (empty when valid). */
export function entraFaultSpecIssues(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return ['The body must be a JSON object.'];
  const s = spec as Record<string, unknown>;
  const issues: string[] = [];
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) issues.push(`Unknown member '${k}'.`);
  const num = (k: string, ok: (n: number) => boolean, what: string) => {
    if (s[k] === undefined) return;
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k]) || !ok(s[k])) issues.push(`'${k}' must be ${what}.`);
  };
  if (s.answer !== undefined && !(ENTRA_FAULT_ANSWERS as readonly unknown[]).includes(s.answer))
    issues.push(`'answer' must be one of ${ENTRA_FAULT_ANSWERS.join(', ')}.`);
  if (s.endpoint !== undefined && !(ENTRA_FAULT_ENDPOINTS as readonly unknown[]).includes(s.endpoint))
    issues.push(`'endpoint' must be one of ${ENTRA_FAULT_ENDPOINTS.join(', ')}.`);
  num('latencyMs', (n) => n >= 0 && n <= 120_000, 'a number of milliseconds from 0 to 120000');
  num('count', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  num('rate', (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
  num('seed', (n) => Number.isInteger(n), 'an integer');
  num('limit', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  num('retryAfterSeconds', (n) => Number.isInteger(n) && n >= 0 && n <= 86_400, 'a whole number of seconds from 0 to 86400');
  for (const k of ['grantType', 'clientId']) {
    if (s[k] !== undefined && (typeof s[k] !== 'string' || s[k] === '' || (s[k] as string).length > MAX_STRING))
      issues.push(`'${k}' must be a string of 1 to ${MAX_STRING} characters.`);
  }
  if (s.answer === undefined && s.latencyMs === undefined) issues.push("Give 'answer' (a failure), 'latencyMs' (a delay), or both.");
  if (s.count !== undefined && s.rate !== undefined) issues.push("Give 'count' (the next N requests) or 'rate' (a share of requests), not both.");
  if (s.seed !== undefined && s.rate === undefined) issues.push("'seed' goes with 'rate'.");
  if (s.limit !== undefined && s.rate === undefined) issues.push("'limit' goes with 'rate' ('count' already limits).");
  if (s.grantType !== undefined && (s.endpoint ?? 'token') !== 'token') issues.push("'grantType' goes with the token endpoint.");
  if (s.retryAfterSeconds !== undefined && s.answer !== 'throttled') issues.push("'retryAfterSeconds' goes with 'answer': 'throttled'.");
  return issues;
}

/** One tenant's Entra faults. */
export class EntraFaults {
  private faults: EntraFault[] = [];
  private next = 1;

  /** Adds a fault (validate with entraFaultSpecIssues first). */
  add(spec: EntraFaultSpec): EntraFault {
    if (this.faults.length >= MAX_FAULTS) throw new RangeError(`A tenant holds at most ${MAX_FAULTS} Entra faults; DELETE some first.`);
    const fault: EntraFault = {
      id: `entra-fault-${this.next++}`,
      ...spec,
      endpoint: spec.endpoint ?? 'token',
      ...(spec.answer === 'throttled' && spec.retryAfterSeconds === undefined ? { retryAfterSeconds: 60 } : {}),
      ...(spec.rate !== undefined && spec.seed === undefined ? { seed: 0 } : {}),
      matched: 0,
      applied: 0,
      ...(spec.count !== undefined ? { remaining: spec.count } : spec.limit !== undefined ? { remaining: spec.limit } : {}),
    };
    this.faults.push(fault);
    return { ...fault };
  }

  list(): EntraFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  get size(): number {
    return this.faults.length;
  }

  /** What this request suffers: the latency of every matching fault that fires, and the first failure. Spent faults expire. */
  take(target: EntraFaultTarget): EntraFaultOutcome {
    const outcome: EntraFaultOutcome = { latencyMs: 0 };
    if (this.faults.length === 0) return outcome;
    for (const f of this.faults) {
      if (f.endpoint !== target.endpoint) continue;
      if (f.grantType !== undefined && f.grantType !== target.grantType) continue;
      if (f.clientId !== undefined && f.clientId.toLowerCase() !== target.clientId?.toLowerCase()) continue;
      if (f.answer !== undefined && outcome.failure) continue;
      f.matched += 1;
      if (f.rate !== undefined && !(seededShare(f.seed ?? 0, f.matched) < f.rate)) continue;
      f.applied += 1;
      if (f.remaining !== undefined) f.remaining -= 1;
      outcome.latencyMs += f.latencyMs ?? 0;
      if (f.answer !== undefined) outcome.failure = { answer: f.answer, retryAfterSeconds: f.retryAfterSeconds ?? 60, faultId: f.id };
    }
    this.faults = this.faults.filter((f) => f.remaining === undefined || f.remaining > 0);
    return outcome;
  }
}
