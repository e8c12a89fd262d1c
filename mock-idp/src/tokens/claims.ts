import type { Application, OptionalClaim, User } from '../directory/model.js';
import { opaque } from '../support/ids.js';
import { pairwiseSubject } from './subject.js';

/**
 * The claim sets of Entra's tokens (docs/entra-wire.md §3; id-token-claims-reference, access-token-claims-reference).
 * Claims are built in Entra's order: aud, iss, iat, nbf, exp, then the rest alphabetically.
 */

/** `appidacr` / `azpacr`: how the client proved itself — 0 public client, 1 secret, 2 certificate. */
export type ClientAuthLevel = '0' | '1' | '2';

export interface TokenTimes {
  /** Tenant clock, seconds. */
  now: number;
  /** Lifetime in seconds from now. */
  lifetime: number;
}

/** Entra backdates iat/nbf by five minutes to absorb clock skew (a real token's exp − iat is 3900 s for a 1-hour ID token). */
export const BACKDATE_SECONDS = 300;

export function timeClaims(t: TokenTimes): { iat: number; nbf: number; exp: number } {
  return { iat: t.now - BACKDATE_SECONDS, nbf: t.now - BACKDATE_SECONDS, exp: t.now + t.lifetime };
}

/** aio and rh are opaque to clients; uti is a 16-byte token id. */
export const aio = (): string => opaque(60);
export const rh = (): string => `1.A${opaque(45)}`;
export const uti = (): string => opaque(16);

export const subjectFor = (tid: string, client: Application, user: User): string => pairwiseSubject(tid, client.appId, user.id);

export function sortedClaims(head: Record<string, unknown>, rest: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...head };
  for (const k of Object.keys(rest).sort()) if (rest[k] !== undefined) out[k] = rest[k];
  return out;
}

/** Optional claims the resource (access tokens) or client (ID tokens) asked for. */
export function optionalClaimNames(list: OptionalClaim[] | undefined): Set<string> {
  return new Set((list ?? []).map((c) => c.name));
}

/** Claims that optional-claim configuration can add for a user, by name. */
export function optionalUserClaims(names: Set<string>, user: User, version: '1.0' | '2.0'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (names.has('email') && user.mail) out.email = user.mail;
  if (names.has('upn')) out.upn = user.userPrincipalName;
  if (names.has('given_name') && user.givenName) out.given_name = user.givenName;
  if (names.has('family_name') && user.surname) out.family_name = user.surname;
  if (names.has('login_hint')) out.login_hint = Buffer.from(JSON.stringify({ upn: user.userPrincipalName })).toString('base64url');
  if (names.has('idtyp')) out.idtyp = 'user';
  if (names.has('preferred_username') && version === '1.0') out.preferred_username = user.userPrincipalName;
  return out;
}
