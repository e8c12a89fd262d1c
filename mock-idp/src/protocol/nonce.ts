import { EntraError } from '../errors/entra-error.js';
import type { ResponseType } from './response-type.js';

/**
 * An ID token from the authorize endpoint (implicit and hybrid flows) needs a `nonce`, which
 * the ID token echoes so that the client can tell a replay (AADSTS900144 without it).
 * https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#send-the-sign-in-request
 */

export function requireNonceForIdToken(responseType: ResponseType, nonce: string | undefined): string | undefined {
  if (responseType.idToken && nonce === undefined) throw new EntraError(900144, { name: 'nonce' });
  return nonce;
}
