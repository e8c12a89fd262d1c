/**
 * Faults a test injects into one tenant's Microsoft Graph calls: throttling (429 with
 * Retry-After), server errors (500, 502, 503, 504) and latency — so a client's retry logic can be
 * tested. Set through the test-control API (surfaces/control/faults.ts), applied by the Graph
 * surface's faults preHandler (graph/graph-hooks.ts) to callers whose token belongs to this
 * tenant, and only to them: a parallel test in another tenant is never throttled.
 *
 * A fault never outlives what the test set: one limited by `count` or `limit` disappears once
 * spent, DELETE removes them, and a tenant reset clears them all.
 */

import { RE2JS, RE2JSException } from 're2js';
import { compileGlob, type PathMatcher } from './path-glob.js';

/** What a test asks for (the body of POST /_mock/tenants/{id}/graph/faults). */
export interface GraphFaultSpec {
  /** 429, 500, 502, 503 or 504. Absent: a latency-only fault. */
  status?: number;
  /** Added before answering (or before failing), in milliseconds. */
  latencyMs?: number;
  /** Glob on the request path (`*` matches anything, `/` included; `?` one character), case-insensitive. Default `*`. */
  path?: string;
  /** A regular expression (RE2 syntax: no backreferences, no lookaround) on the request path instead of `path`, found anywhere in it (case-insensitive). */
  pathRegex?: string;
  /** Only this HTTP method. */
  method?: string;
  /** Fault the next `count` matching calls, then expire. */
  count?: number;
  /** Fault this share (0–1) of matching calls, chosen by a generator seeded with `seed`: the same seed gives the same calls. */
  rate?: number;
  seed?: number;
  /** With `rate`: expire after this many faults. */
  limit?: number;
  /** `Retry-After` in seconds (429: default 1; 503: sent only when given). */
  retryAfterSeconds?: number;
  /** Override Graph's error code and message. */
  code?: string;
  message?: string;
}

/** A fault as the control API lists it. */
export interface GraphFault extends GraphFaultSpec {
  id: string;
  /** Matching calls seen so far. */
  matched: number;
  /** Calls this fault has failed or delayed. */
  applied: number;
  /** Faults left before it expires (`count` or `limit`); absent when unlimited. */
  remaining?: number;
}

/** What a call has to suffer. */
export interface FaultOutcome {
  latencyMs: number;
  failure?: { status: number; retryAfterSeconds?: number; code?: string; message?: string; faultId: string };
}

const STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_FAULTS = 100;
/** The longest `path` or `pathRegex` taken (README, "Faults"): a Graph path is far shorter. */
export const MAX_PATTERN_LENGTH = 500;

/** The spec's problems, as messages (empty when valid). */
export function faultSpecIssues(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return ['The body must be a JSON object.'];
  const s = spec as Record<string, unknown>;
  const issues: string[] = [];
  const known = new Set(['status', 'latencyMs', 'path', 'pathRegex', 'method', 'count', 'rate', 'seed', 'limit', 'retryAfterSeconds', 'code', 'message']);
  for (const k of Object.keys(s)) if (!known.has(k)) issues.push(`Unknown member '${k}'.`);
  const num = (k: string, ok: (n: number) => boolean, what: string) => {
    if (s[k] === undefined) return;
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k]) || !ok(s[k])) issues.push(`'${k}' must be ${what}.`);
  };
  if (s.status !== undefined && (typeof s.status !== 'number' || !STATUSES.has(s.status))) issues.push("'status' must be one of 429, 500, 502, 503, 504.");
  num('latencyMs', (n) => n >= 0 && n <= 120_000, 'a number of milliseconds from 0 to 120000');
  num('count', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  num('rate', (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
  num('seed', (n) => Number.isInteger(n), 'an integer');
  num('limit', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  num('retryAfterSeconds', (n) => Number.isInteger(n) && n >= 0 && n <= 86_400, 'a whole number of seconds from 0 to 86400');
  for (const k of ['path', 'pathRegex', 'method', 'code', 'message'])
    if (s[k] !== undefined && typeof s[k] !== 'string') issues.push(`'${k}' must be a string.`);
  if (s.status === undefined && s.latencyMs === undefined) issues.push("Give 'status' (a failure), 'latencyMs' (a delay), or both.");
  if (s.count !== undefined && s.rate !== undefined) issues.push("Give 'count' (the next N calls) or 'rate' (a share of calls), not both.");
  if (s.seed !== undefined && s.rate === undefined) issues.push("'seed' goes with 'rate'.");
  if (s.limit !== undefined && s.rate === undefined) issues.push("'limit' goes with 'rate' ('count' already limits).");
  if (s.path !== undefined && s.pathRegex !== undefined) issues.push("Give 'path' (a glob) or 'pathRegex', not both.");
  // Lengths first, before anything compiles: what a 120 KB pattern costs is then never paid.
  const tooLong = (k: 'path' | 'pathRegex'): boolean => typeof s[k] === 'string' && (s[k] as string).length > MAX_PATTERN_LENGTH;
  for (const k of ['path', 'pathRegex'] as const) if (tooLong(k)) issues.push(`'${k}' is longer than ${MAX_PATTERN_LENGTH} characters.`);
  if (typeof s.pathRegex === 'string' && !tooLong('pathRegex')) {
    const problem = pathRegexProblem(s.pathRegex);
    if (problem) issues.push(problem);
  }
  if ((s.code !== undefined || s.message !== undefined) && s.status === undefined) issues.push("'code' and 'message' go with 'status'.");
  return issues;
}

/**
 * `pathRegex` runs on RE2 (re2js), whose time is linear in the path whatever the pattern: V8's
 * backtracking engine took 15 s on one Graph call for `(a|a)+$`, blocking every other request,
 * and no syntactic guard catches every such pattern (https://github.com/google/re2/wiki/WhyRE2).
 * RE2 has no backreferences nor lookaround (https://github.com/google/re2/wiki/Syntax): a pattern
 * that needs them is refused, saying so.
 */
function compilePathRegex(pattern: string): PathMatcher {
  const re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  return (path) => re.matcher(path).find();
}

/** Why `pattern` cannot be a `pathRegex`, or undefined when it can. */
function pathRegexProblem(pattern: string): string | undefined {
  try {
    compilePathRegex(pattern);
    return undefined;
  } catch (e) {
    if (!(e instanceof RE2JSException)) throw e;
    // A pattern JavaScript takes but RE2 does not uses what RE2 leaves out on purpose.
    if (isJavaScriptRegExp(pattern)) {
      return `'pathRegex' uses syntax that RE2, the linear-time engine faults match with, does not support (backreferences and lookaround are not supported): ${e.message}.`;
    }
    return "'pathRegex' is not a valid regular expression.";
  }
}

function isJavaScriptRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

/**
 * A small, well-mixed hash (SplitMix32-style) of (seed, n) → [0, 1): the n-th matching call of a
 * fault is failed when this is below its rate. Deterministic across runs and machines, and
 * independent of other faults and tenants.
 */
export function seededShare(seed: number, n: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(n | 0, 0x85ebca77) + 0x6d2b79f5) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z ^= z >>> 15;
  return (z >>> 0) / 4294967296;
}

interface ActiveFault {
  view: GraphFault;
  matches: PathMatcher;
  method: string | undefined;
}

/** One tenant's Graph faults. */
export class GraphFaults {
  private faults: ActiveFault[] = [];
  private next = 1;

  /** Adds a fault (validate with faultSpecIssues first). */
  add(spec: GraphFaultSpec): GraphFault {
    if (this.faults.length >= MAX_FAULTS) throw new RangeError(`A tenant holds at most ${MAX_FAULTS} faults; DELETE some first.`);
    const view: GraphFault = {
      id: `fault-${this.next++}`,
      ...spec,
      ...(spec.status === 429 && spec.retryAfterSeconds === undefined ? { retryAfterSeconds: 1 } : {}),
      ...(spec.rate !== undefined && spec.seed === undefined ? { seed: 0 } : {}),
      matched: 0,
      applied: 0,
      ...(spec.count !== undefined ? { remaining: spec.count } : spec.limit !== undefined ? { remaining: spec.limit } : {}),
    };
    const matches = spec.pathRegex !== undefined ? compilePathRegex(spec.pathRegex) : compileGlob(spec.path ?? '*');
    this.faults.push({ view, matches, method: spec.method?.toUpperCase() });
    return { ...view };
  }

  list(): GraphFault[] {
    return this.faults.map((f) => ({ ...f.view }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.view.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  get size(): number {
    return this.faults.length;
  }

  /**
   * What this call suffers: the latency of every matching fault that fires, and the first failure
   * (in the order the faults were set). Spent faults expire here.
   */
  take(method: string, path: string): FaultOutcome {
    const outcome: FaultOutcome = { latencyMs: 0 };
    if (this.faults.length === 0) return outcome;
    const m = method.toUpperCase();
    for (const f of this.faults) {
      const v = f.view;
      if (f.method !== undefined && f.method !== m) continue;
      if (!f.matches(path)) continue;
      // A failure fault that would fire after another failure already fired is left untouched,
      // so its counters describe the calls it actually shaped.
      if (v.status !== undefined && outcome.failure) continue;
      v.matched += 1;
      const fires = v.rate !== undefined ? seededShare(v.seed ?? 0, v.matched) < v.rate : true;
      if (!fires) continue;
      v.applied += 1;
      if (v.remaining !== undefined) v.remaining -= 1;
      outcome.latencyMs += v.latencyMs ?? 0;
      if (v.status !== undefined) {
        outcome.failure = {
          status: v.status,
          faultId: v.id,
          ...(v.retryAfterSeconds !== undefined ? { retryAfterSeconds: v.retryAfterSeconds } : {}),
          ...(v.code !== undefined ? { code: v.code } : {}),
          ...(v.message !== undefined ? { message: v.message } : {}),
        };
      }
    }
    this.faults = this.faults.filter((f) => f.view.remaining === undefined || f.view.remaining > 0);
    return outcome;
  }
}
