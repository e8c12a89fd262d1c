import * as client from 'openid-client';
import { trustingFetch, type FetchLike } from '../../mock-idp/src/testing.js';

/**
 * How the bridge, the ingestion client and the SPA server reach the identity provider: every
 * request goes through openid-client with `[client.customFetch]` — `trustingFetch(ca)` (TLS
 * verified against the mock's CA, or Node's roots without one) — and, for a plain-HTTP mock,
 * openid-client's documented `allowInsecureRequests`.
 */

export interface IdpHttpOptions {
  /** PEM of the mock's CA when the mock is HTTPS. */
  ca?: string | undefined;
  /** The mock serves plain HTTP. */
  allowInsecureRequests?: boolean | undefined;
  /** Replaces the HTTP function (default `trustingFetch(ca)`): for proxies and test stand-ins. */
  fetch?: FetchLike | undefined;
}

export function customFetchOf(http: IdpHttpOptions): client.CustomFetch {
  return (http.fetch ?? trustingFetch(http.ca)) as client.CustomFetch;
}

/**
 * openid-client discovery. A URL containing `/.well-known/` (the "OpenID Connect metadata
 * document" the portal shows) is fetched as is; an issuer URL is resolved and its issuer checked.
 */
export function discover(url: string, clientId: string, auth: client.ClientAuth, http: IdpHttpOptions): Promise<client.Configuration> {
  return client.discovery(new URL(url), clientId, undefined, auth, {
    [client.customFetch]: customFetchOf(http),
    execute: http.allowInsecureRequests ? [client.allowInsecureRequests] : [],
  });
}

/** The JWT's payload, decoded without verification (for display and assertions only). */
export function decodeJwtClaims(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (part === undefined) throw new TypeError('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
