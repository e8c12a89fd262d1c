import { createHash } from 'node:crypto';
import { EntraError } from '../errors/entra-error.js';
import type { PkceChallenge } from '../store/codes.js';

/**
 * PKCE (RFC 7636) as Entra applies it: S256 or plain (plain when the method is omitted), a
 * challenge of 43–128 characters, and a verifier that must hash to it.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 */

export function checkChallenge(challenge: string | undefined, method: string | undefined): PkceChallenge | undefined {
  if (challenge === undefined || challenge === '') return undefined;
  const m = method ?? 'plain';
  if (m !== 'S256' && m !== 'plain') throw new EntraError(50149);
  if (challenge.length < 43 || challenge.length > 128) throw new EntraError(501491);
  return { challenge, method: m };
}

export function verifierMatches(verifier: string, pkce: PkceChallenge): boolean {
  const computed = pkce.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return computed === pkce.challenge;
}
