import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import type { SigningKey } from '../keys/signing-keys.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { v1Issuer, v2Issuer, type PublicUrls } from '../runtime/urls.js';
import { decodeJwt } from './jwt.js';

/**
 * Checks a token that a client presents back to the token endpoint as a grant (the on-behalf-of
 * `assertion`) the way Entra checks it: a JWT this tenant issued — signed by a key the tenant
 * publishes now (its current key, or a rotated-out one still in JWKS), issued by the tenant's v1
 * (`https://sts.windows.net/{tid}/`) or v2 (`…/{tid}/v2.0`) issuer with the matching `ver`, and
 * within its lifetime by the tenant's clock (which a test may move).
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 *
 * Unlike tokens/verify-token.ts (a resource checking the bearer tokens sent to it), this never
 * rebuilds Graph's nonce header: a Graph token fails here as it fails in Entra, on its signature
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow — "Applications
 * can't redeem a token for a different app"). The audience is left to the caller, which knows
 * which app may present the token. Each failure comes with what Entra's message needs.
 */

export type OwnTokenFailure =
  | { reason: 'malformed' }
  /** No published key has the token's `kid` (or the token names none). */
  | { reason: 'key-not-found'; thumbprint: string }
  /** The key was found, the signature does not match it (tampered, or a Graph token's nonce header). */
  | { reason: 'bad-signature'; thumbprint: string; key: SigningKey }
  /** Signed by a key of the mock, but issued by another tenant (or with an issuer that is not Entra's). */
  | { reason: 'issuer'; thumbprint: string; issuer: unknown }
  | { reason: 'expired'; exp: number }
  | { reason: 'not-yet-valid'; nbf: number };

export interface OwnToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  version: '1.0' | '2.0';
  key: SigningKey;
}

export type OwnTokenVerdict = ({ ok: true } & OwnToken) | ({ ok: false } & OwnTokenFailure);

export function verifyOwnToken(tenant: TenantRuntime, urls: PublicUrls, machineKey: SigningKey, token: string): OwnTokenVerdict {
  const jwt = decodeJwt(token);
  if (!jwt || jwt.header.alg !== 'RS256') return { ok: false, reason: 'malformed' };
  const { header, payload } = jwt;
  const kid = typeof header.kid === 'string' ? header.kid : typeof header.x5t === 'string' ? header.x5t : '';
  const thumbprint = thumbprintHex(kid);
  const key = tenant.publishedKeys(machineKey).find((k) => k.kid === kid);
  if (!key) return { ok: false, reason: 'key-not-found', thumbprint };
  const publicKey = createPublicKey({ key: key.jwk, format: 'jwk' });
  if (!verify('sha256', Buffer.from(jwt.signingInput), publicKey, jwt.signature)) return { ok: false, reason: 'bad-signature', thumbprint, key };
  const version = payload.iss === v1Issuer(urls, tenant.id) ? '1.0' : payload.iss === v2Issuer(urls, tenant.id) ? '2.0' : undefined;
  if (!version || payload.ver !== version || payload.tid !== tenant.id) return { ok: false, reason: 'issuer', thumbprint, issuer: payload.iss };
  const now = tenant.clock.nowSeconds();
  if (typeof payload.exp !== 'number' || payload.exp <= now) return { ok: false, reason: 'expired', exp: typeof payload.exp === 'number' ? payload.exp : 0 };
  if (typeof payload.nbf !== 'number' || payload.nbf > now)
    return { ok: false, reason: 'not-yet-valid', nbf: typeof payload.nbf === 'number' ? payload.nbf : 0 };
  return { ok: true, header, claims: payload, version, key };
}

/** The key's SHA-1 thumbprint as Entra's messages print it: upper-case hex ('977B10FB…'). */
export function thumbprintHex(x5t: string): string {
  return /^[A-Za-z0-9_-]{27}$/.test(x5t) ? Buffer.from(x5t, 'base64url').toString('hex').toUpperCase() : '';
}

/**
 * The signing certificate's validity as AADSTS50013 prints it ("Start=02/07/2021 17:00:39,
 * End=02/06/2026 17:00:39": .NET's invariant MM/dd/yyyy HH:mm:ss, UTC).
 */
export function keyValidity(key: SigningKey): { start: string; end: string } {
  const der = key.jwk.x5c[0];
  if (der === undefined) return { start: '', end: '' };
  const cert = new X509Certificate(Buffer.from(der, 'base64'));
  return { start: invariantTime(new Date(cert.validFrom)), end: invariantTime(new Date(cert.validTo)) };
}

const two = (n: number): string => String(n).padStart(2, '0');
const invariantTime = (d: Date): string =>
  `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
