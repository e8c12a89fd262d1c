import type { BridgeSession } from './bridge-types.js';

/**
 * OIDC Core 12.2 (Successful Refresh Response): the ID token of a refresh response "MUST" have
 * the same `iss` and the same `sub` as the ID token of the original authentication
 * (https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse). openid-client
 * checks the new token on its own (signature, `iss` against the issuer, `aud`, times) but knows
 * nothing of the first one, so the relying party compares — the OIDF RP tests
 * oidcc-client-test-refresh-token-invalid-issuer and …-invalid-sub expect it to.
 */

export interface RefreshDrift {
  error: 'refresh_id_token_iss_changed' | 'refresh_id_token_sub_changed';
  description: string;
}

/** What is wrong with a refreshed ID token's claims, compared with the session's original ones; undefined when nothing is. */
export function checkRefreshedIdToken(original: Pick<BridgeSession, 'iss' | 'sub'>, claims: { iss?: unknown; sub?: unknown }): RefreshDrift | undefined {
  if (claims.iss !== original.iss)
    return {
      error: 'refresh_id_token_iss_changed',
      description: `The ID token of the refresh response names iss ${JSON.stringify(claims.iss)}; the sign-in's named "${original.iss}". OIDC Core 12.2: its iss MUST be the same. The session is ended.`,
    };
  if (claims.sub !== original.sub)
    return {
      error: 'refresh_id_token_sub_changed',
      description: `The ID token of the refresh response names sub ${JSON.stringify(claims.sub)}; the sign-in's named "${original.sub}". OIDC Core 12.2: its sub MUST be the same. The session is ended.`,
    };
  return undefined;
}
