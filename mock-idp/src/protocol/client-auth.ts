import { timingSafeEqual, createHash, X509Certificate, verify, constants, type KeyObject } from 'node:crypto';
import type { Application, KeyCredential, PasswordCredential } from '../directory/model.js';
import { dotnetTime, EntraError } from '../errors/entra-error.js';
import type { ClientAuthLevel } from '../tokens/claims.js';
import { decodeJwt } from '../tokens/jwt.js';

/**
 * Client authentication at the token endpoint: client_secret_post, client_secret_basic,
 * private_key_jwt (RS256 + x5t, or PS256 + x5t#S256), or none for public clients.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 * https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */

export interface ClientCredentials {
  secret?: string | undefined;
  assertionType?: string | undefined;
  assertion?: string | undefined;
}

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface AuthContext {
  now: number;
  /** Token endpoint URLs the assertion's `aud` may name (v2/v1, GUID and domain forms). */
  audiences: string[];
}

export const presentsCredential = (c: ClientCredentials): boolean => c.secret !== undefined || c.assertion !== undefined;

/** A confidential client must prove itself; throws Entra's error when it does not. */
export function authenticateConfidentialClient(app: Application, c: ClientCredentials, ctx: AuthContext): ClientAuthLevel {
  // With both, Entra goes by the assertion (the stronger credential). UNCONFIRMED.
  if (c.assertion !== undefined || c.assertionType !== undefined) {
    if (c.assertionType !== JWT_BEARER_ASSERTION) throw new EntraError(900144, { name: 'client_assertion_type' });
    if (!c.assertion) throw new EntraError(900144, { name: 'client_assertion' });
    checkAssertion(app, c.assertion, ctx);
    return '2';
  }
  if (c.secret !== undefined) {
    checkSecret(app, c.secret, ctx.now);
    return '1';
  }
  throw new EntraError(7000218);
}

/** A public client (spa / publicClient redirect) must not present a credential. */
export function refuseCredentialForPublicClient(c: ClientCredentials): void {
  if (presentsCredential(c)) throw new EntraError(700025);
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

interface StoredSecret {
  /** SHA-256 of the secret: comparing digests is constant-time whatever the lengths. */
  digest: Buffer;
  start: number;
  end: number;
  /** The credential's values the entry was computed from (an edited credential recomputes). */
  of: [string, string | null | undefined, string | null | undefined];
}

/** Per credential, what does not change between requests: its digest and its validity window. */
const storedSecrets = new WeakMap<PasswordCredential, StoredSecret>();

function stored(cred: PasswordCredential): StoredSecret {
  let s = storedSecrets.get(cred);
  if (!s || s.of[0] !== cred.secretText || s.of[1] !== cred.startDateTime || s.of[2] !== cred.endDateTime) {
    s = {
      digest: sha256(cred.secretText),
      start: cred.startDateTime ? Date.parse(cred.startDateTime) : -Infinity,
      end: cred.endDateTime ? Date.parse(cred.endDateTime) : Infinity,
      of: [cred.secretText, cred.startDateTime, cred.endDateTime],
    };
    storedSecrets.set(cred, s);
  }
  return s;
}

/**
 * The presented secret is hashed once and compared with every credential's digest by
 * timingSafeEqual — no early exit, so the time taken says nothing about which secret matched or
 * how much of one did.
 */
function checkSecret(app: Application, secret: string, now: number): void {
  const presented = sha256(secret);
  let match: StoredSecret | undefined;
  for (const cred of app.passwordCredentials ?? []) {
    const s = stored(cred);
    if (timingSafeEqual(s.digest, presented)) match = s;
  }
  if (!match) throw new EntraError(7000215, { clientId: app.appId });
  if (match.end <= now) throw new EntraError(7000222, { clientId: app.appId });
  // A secret whose start lies in the future is not usable yet; Entra says it is invalid.
  if (match.start > now) throw new EntraError(7000215, { clientId: app.appId });
}

interface ParsedCert {
  sha1: Buffer;
  sha256: Buffer;
  publicKey: KeyObject;
  start: number;
  end: number;
}

const certCache = new WeakMap<KeyCredential, ParsedCert | null>();

function parseCert(k: KeyCredential): ParsedCert | null {
  const cached = certCache.get(k);
  if (cached !== undefined) return cached;
  let parsed: ParsedCert | null;
  try {
    const text = k.key.includes('BEGIN CERTIFICATE') ? k.key : Buffer.from(k.key.replace(/\s+/g, ''), 'base64');
    const cert = new X509Certificate(text);
    parsed = {
      sha1: createHash('sha1').update(cert.raw).digest(),
      sha256: createHash('sha256').update(cert.raw).digest(),
      publicKey: cert.publicKey,
      start: k.startDateTime ? Date.parse(k.startDateTime) : Date.parse(cert.validFrom),
      end: k.endDateTime ? Date.parse(k.endDateTime) : Date.parse(cert.validTo),
    };
  } catch {
    parsed = null;
  }
  certCache.set(k, parsed);
  return parsed;
}

/** Entra's key window in 700027: `Start=01/22/2018 09:13:33, End=01/23/2021 09:13:33` (US format, UTC). */
function usDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

const KEY_NOT_FOUND_DETAIL = (appId: string): string =>
  `, Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${appId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${appId}'`;

function checkAssertion(app: Application, assertion: string, ctx: AuthContext): void {
  const jwt = decodeJwt(assertion);
  if (!jwt) throw new EntraError(50027);
  const { header, payload } = jwt;
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') throw new EntraError(50027);
  const x5t = typeof header.x5t === 'string' ? Buffer.from(header.x5t, 'base64url') : undefined;
  const x5tS256 = typeof header['x5t#S256'] === 'string' ? Buffer.from(header['x5t#S256'], 'base64url') : undefined;
  if (!x5t && !x5tS256) throw new EntraError(50027);
  const thumbprint = (x5t ?? x5tS256)!.toString('hex').toUpperCase();

  const certs = (app.keyCredentials ?? []).map(parseCert).filter((c): c is ParsedCert => c !== null);
  const cert = certs.find((c) => (x5t ? c.sha1.equals(x5t) : c.sha256.equals(x5tS256!)));
  if (!cert) {
    throw new EntraError(700027, { reason: 'The key was not found.', thumbprint, detail: KEY_NOT_FOUND_DETAIL(app.appId) });
  }
  const window = `, Found key 'Start=${usDate(cert.start)}, End=${usDate(cert.end)}'`;
  if (cert.end <= ctx.now || cert.start > ctx.now) {
    throw new EntraError(700027, { reason: 'The key used is expired.', thumbprint, detail: window });
  }
  const ok =
    alg === 'RS256'
      ? verify('sha256', Buffer.from(jwt.signingInput), cert.publicKey, jwt.signature)
      : verify('sha256', Buffer.from(jwt.signingInput), { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, jwt.signature);
  if (!ok) {
    throw new EntraError(700027, { reason: 'The provided signature value did not match the expected signature value.', thumbprint, detail: window });
  }
  if (payload.iss !== app.appId || payload.sub !== app.appId) throw new EntraError(50027);
  const aud = payload.aud;
  const auds = Array.isArray(aud) ? aud : [aud];
  if (!auds.some((a) => typeof a === 'string' && ctx.audiences.includes(a))) throw new EntraError(700023);
  const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  const nbf = typeof payload.nbf === 'number' ? payload.nbf * 1000 : 0;
  // Entra allows five minutes of clock skew on assertions. UNCONFIRMED amount; the usual .NET default.
  const skew = 5 * 60 * 1000;
  if (exp === undefined || exp + skew <= ctx.now || nbf - skew > ctx.now) {
    throw new EntraError(700024, { now: dotnetTime(ctx.now), nbf: dotnetTime(nbf), exp: dotnetTime(exp ?? 0) });
  }
}
