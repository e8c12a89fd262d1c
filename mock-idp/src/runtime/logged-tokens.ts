/**
 * Tokens as the request log keeps them: decoded header and claims, never the compact token (a
 * log shown in a console, or attached to a bug report, must not hand out a bearer token that
 * still works). Each carries the warnings a typical validator would raise — so a support
 * engineer sees why an app refuses a token the mock issued on purpose or by a misconfiguration.
 */

/** Where the token was seen: in the mock's answer (token endpoint, authorize redirect) or in the request (Graph's bearer). */
export type TokenRole = 'issued' | 'presented';

export interface LoggedToken {
  role: TokenRole;
  /** `id_token`, `access_token`, or `bearer` for a presented one. */
  name: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** The `ver` claim (`1.0` or `2.0`), when the token has one. */
  version?: string;
  /** How many group ids the `groups` claim carries, or the overage pointer (`_claim_sources`) when Entra sent one instead. */
  groups?: { count: number } | { overage: string };
  /** Why a typical validator would refuse it; empty when nothing stands out. */
  warnings: string[];
}

/** What the warnings are judged against: the tenant's clock and the key ids its JWKS publishes. */
export interface TokenJudge {
  nowMs: number;
  publishedKids: ReadonlySet<string>;
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/** The header and claims of a compact JWS, or undefined when it is not one (an opaque refresh token). */
export function decodeJwt(compact: string): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
  if (compact.length > 64 * 1024 || !JWT.test(compact)) return undefined;
  const [h, p] = compact.split('.');
  const header = parseSegment(h);
  const claims = parseSegment(p);
  return header && claims ? { header, claims } : undefined;
}

function parseSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (segment === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The token decoded and judged, or undefined when it is not a JWT. */
export function logToken(role: TokenRole, name: string, compact: string, judge: TokenJudge): LoggedToken | undefined {
  const decoded = decodeJwt(compact);
  if (!decoded) return undefined;
  const { header, claims } = decoded;
  const entry: LoggedToken = { role, name, header, claims, warnings: tokenWarnings(header, claims, judge) };
  if (typeof claims.ver === 'string') entry.version = claims.ver;
  const groups = groupsOf(claims);
  if (groups) entry.groups = groups;
  return entry;
}

function groupsOf(claims: Record<string, unknown>): LoggedToken['groups'] {
  if (Array.isArray(claims.groups)) return { count: claims.groups.length };
  // Overage: https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference#groups-overage-claim
  const sources = claims._claim_sources;
  if (typeof sources === 'object' && sources !== null) {
    const src1 = (sources as Record<string, unknown>).src1;
    const endpoint = typeof src1 === 'object' && src1 !== null ? (src1 as Record<string, unknown>).endpoint : undefined;
    if (typeof endpoint === 'string') return { overage: endpoint };
  }
  return undefined;
}

/**
 * What a validator such as jose, Microsoft.IdentityModel or mod_auth_openidc would refuse. The
 * tenant clock decides expiry (the mock's clock may be moved); a five-minute skew is the
 * common default (Microsoft.IdentityModel's ClockSkew).
 */
export function tokenWarnings(header: Record<string, unknown>, claims: Record<string, unknown>, judge: TokenJudge): string[] {
  const warnings: string[] = [];
  const now = judge.nowMs / 1000;
  if (expiredAt(claims, now)) warnings.push(`expired by the tenant clock: exp ${isoOf(claims.exp as number)} is before ${isoOf(now)}`);
  if (notYetValidAt(claims, now)) warnings.push(`not yet valid: nbf ${isoOf(claims.nbf as number)} is after ${isoOf(now)}`);
  if (typeof header.nonce === 'string') {
    // https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens: Graph's tokens are for Graph to validate.
    warnings.push('Graph access token (nonce in its header): its signature verifies for Microsoft Graph only — an app must not validate it');
  }
  const alg = header.alg;
  if (alg === 'none') warnings.push('alg none: unsigned');
  else if (typeof alg === 'string' && alg !== 'RS256') warnings.push(`alg ${alg}: Entra signs with RS256`);
  if (typeof header.kid !== 'string') warnings.push('no kid in the header');
  else if (alg === 'RS256' && !judge.publishedKids.has(header.kid)) warnings.push(`kid ${header.kid} is not in the tenant's JWKS`);
  return warnings;
}

/** Microsoft.IdentityModel's default ClockSkew. */
const CLOCK_SKEW_SECONDS = 300;
const expiredAt = (claims: Record<string, unknown>, now: number): boolean => typeof claims.exp === 'number' && claims.exp + CLOCK_SKEW_SECONDS <= now;
const notYetValidAt = (claims: Record<string, unknown>, now: number): boolean => typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > now;

const isoOf = (seconds: number): string => {
  const ms = seconds * 1000;
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(seconds);
};

/** The token-bearing fields an answer can carry (token endpoint JSON, authorize redirect, form_post page). */
const TOKEN_FIELDS = ['id_token', 'access_token'] as const;

/**
 * The tokens a response hands out: the token endpoint's JSON, or the parameters of an authorize
 * redirect (query or fragment) or its form_post page.
 */
export function issuedTokens(payload: unknown, location: string | undefined, judge: TokenJudge): LoggedToken[] {
  const found: LoggedToken[] = [];
  const add = (name: string, value: unknown) => {
    if (typeof value !== 'string') return;
    const t = logToken('issued', name, value, judge);
    if (t) found.push(t);
  };
  if (typeof payload === 'string' && payload.startsWith('{') && payload.includes('_token"')) {
    try {
      const body = JSON.parse(payload) as Record<string, unknown>;
      for (const f of TOKEN_FIELDS) add(f, body[f]);
    } catch {
      // Not JSON after all: no token.
    }
  } else if (typeof payload === 'string' && payload.includes('name="id_token"')) {
    for (const f of TOKEN_FIELDS) add(f, new RegExp(`name="${f}" value="([\\w.-]+)"`).exec(payload)?.[1]);
  }
  if (location !== undefined && location.includes('_token=')) {
    const i = location.search(/[?#]/);
    const params = new URLSearchParams(i < 0 ? '' : location.slice(i + 1).replace('#', '&'));
    for (const f of TOKEN_FIELDS) add(f, params.get(f) ?? undefined);
  }
  return found;
}

/**
 * A presented token decoded earlier, with what its warnings were judged on. A sync tool sends one
 * token with thousands of requests: decoding it once, and letting every log entry share the one
 * object, spares a decode per request and the garbage of 5,000 ring entries each holding its own
 * copy of the claims (which, living that long, all reach V8's old generation).
 */
interface Decoded {
  token: LoggedToken;
  kidPublished: boolean;
}
const MAX_DECODED = 256;
const decodedPresented = new Map<string, Decoded>();

/** The bearer token a request presents (Graph, userinfo), decoded. */
export function presentedToken(authorization: string | undefined, judge: TokenJudge): LoggedToken | undefined {
  if (authorization === undefined) return undefined;
  // Keyed by the header itself: the Graph caller check has hashed that very string already.
  const held = decodedPresented.get(authorization);
  if (held && withoutTimeWarnings(held.token.claims, judge.nowMs) && held.kidPublished === kidPublished(held.token.header, judge)) {
    return held.token;
  }
  const compact = /^Bearer +(\S+)$/i.exec(authorization)?.[1];
  if (compact === undefined) return undefined;
  const token = logToken('presented', 'bearer', compact, judge);
  // Shared only while no time warning applies: such a warning's text names the time it was judged
  // at. The others (Graph's nonce, alg, kid) depend on the token and on whether its kid is published.
  if (token && withoutTimeWarnings(token.claims, judge.nowMs)) {
    if (decodedPresented.size >= MAX_DECODED) decodedPresented.delete(decodedPresented.keys().next().value!);
    decodedPresented.set(authorization, { token, kidPublished: kidPublished(token.header, judge) });
  }
  return token;
}

/** Whether `now` is where tokenWarnings raises neither expiry nor not-yet-valid. */
function withoutTimeWarnings(claims: Record<string, unknown>, nowMs: number): boolean {
  return !expiredAt(claims, nowMs / 1000) && !notYetValidAt(claims, nowMs / 1000);
}

const kidPublished = (header: Record<string, unknown>, judge: TokenJudge): boolean => typeof header.kid === 'string' && judge.publishedKids.has(header.kid);

/** Who a token names, for the log's user column. */
export function userOf(tokens: readonly LoggedToken[]): string | undefined {
  for (const t of tokens) {
    const c = t.claims;
    for (const k of ['preferred_username', 'upn', 'unique_name'] as const) if (typeof c[k] === 'string') return c[k];
    // An app-only access token's oid is the client's service principal, not a user: only a delegated token's (scp) or an ID token's names one.
    if (typeof c.oid === 'string' && (t.name === 'id_token' || typeof c.scp === 'string')) return c.oid;
  }
  return undefined;
}
