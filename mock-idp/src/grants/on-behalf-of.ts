import { dotnetTime, EntraError } from '../errors/entra-error.js';
import { authenticateConfidentialClient } from '../protocol/client-auth.js';
import { checkResourceParameter } from '../protocol/resource-parameter.js';
import { parseScopes } from '../protocol/scope.js';
import { keyValidity, verifyOwnToken, type OwnTokenFailure } from '../tokens/verify-own-token.js';
import { issueConsentedTokens } from './delegated-tokens.js';
import type { GrantHandler } from './grant.js';

/**
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with requested_token_use=on_behalf_of:
 * a web API (the middle tier, a confidential client) trades the user token it was called with
 * for a token to a downstream API, for the same user. The assertion must be a user token this
 * tenant issued for the middle tier itself (its appId or one of its App ID URIs); the new token
 * keeps the user (`oid`, `sub` pairwise for the middle tier), names the middle tier as `azp` /
 * `appid`, and carries the delegated permissions consented for the middle tier on the downstream
 * API — never app roles of the middle tier. A refresh token comes with offline_access, an ID
 * token with openid (v1: always a refresh token, as the v1 endpoint does for every user grant).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow
 */

export const OBO_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export const onBehalfOfGrant: GrantHandler = async (g) => {
  const clientAuth = authenticateConfidentialClient(g.client, g.credentials, {
    now: g.tenant.now(),
    get audiences() {
      return g.assertionAudiences;
    },
  });
  const use = g.params.require('requested_token_use');
  // The mock serves jwt-bearer only for on-behalf-of; Entra's answer to another use is
  // UNCONFIRMED, so the grant is refused as one the endpoint does not support.
  if (use !== 'on_behalf_of') throw new EntraError(70003, { grantType: `${OBO_GRANT_TYPE} (requested_token_use=${use.slice(0, 100)})` });
  const assertion = g.params.require('assertion');
  const scope = g.params.require('scope');

  const verdict = verifyOwnToken(g.tenant, g.ctx.urls, g.ctx.machineKey, assertion);
  if (!verdict.ok) throw refusal(verdict, g.tenant.now());
  const { claims } = verdict;
  const aud = typeof claims.aud === 'string' ? claims.aud : '';
  if (!isAudienceOf(aud, g.client.appId, g.client.identifierUris ?? [])) {
    throw new EntraError(500131, { audience: aud, clientId: g.client.appId, appName: g.client.displayName });
  }
  // An app-only token represents no user: on-behalf-of works for user principals only (doc above).
  const oid = typeof claims.oid === 'string' ? claims.oid : '';
  if (claims.idtyp === 'app' || g.tenant.directory.servicePrincipals.has(g.tenant.directory.appIdOf(oid))) {
    throw new EntraError(7000114, { clientId: g.client.appId });
  }
  const user = g.tenant.directory.users.get(oid.toLowerCase());
  // A user no longer in the directory (deleted since the token was issued). UNCONFIRMED answer.
  if (!user) throw new EntraError(9002313);
  // A user disabled since: Entra's answer to a sign-in of a disabled account (UNCONFIRMED for on-behalf-of).
  if (user.accountEnabled === false) throw new EntraError(50057);

  const scopes = parseScopes(g.tenant.directory, scope, g.client);
  if (g.version === 'v2') checkResourceParameter(g.tenant.directory, g.params, scopes);
  const now = g.tenant.clock.nowSeconds();
  return issueConsentedTokens(g, {
    clientAuth,
    session: {
      user,
      // The user's sign-in session travels with the assertion (its `sid`), as does the address.
      sid: typeof claims.sid === 'string' ? claims.sid : '',
      authTime: typeof claims.iat === 'number' ? claims.iat : now,
      ipaddr: typeof claims.ipaddr === 'string' ? claims.ipaddr : undefined,
    },
    scopes,
    scope,
    platform: 'none',
    alwaysRefreshToken: g.version === 'v1',
    chainStart: g.tenant.now(),
  });
};

/**
 * The assertion's `aud` against the middle tier: its appId (case-insensitively, as GUIDs compare)
 * or one of its App ID URIs exactly — a URI registered with upper-case letters does not match the
 * lower-cased `aud` clients end up sending (OfficeDev/microsoft-teams-apps-company-communicator #214).
 */
function isAudienceOf(aud: string, appId: string, identifierUris: string[]): boolean {
  return aud.toLowerCase() === appId.toLowerCase() || identifierUris.includes(aud);
}

/** Entra's answer for an assertion that does not verify (see errors/catalog.ts for the sources). */
function refusal(f: OwnTokenFailure, nowMs: number): EntraError {
  switch (f.reason) {
    // Not a JWT at all: UNCONFIRMED; the answer Entra gives a grant it cannot read.
    case 'malformed':
      return new EntraError(9002313);
    case 'key-not-found':
      return new EntraError(50013, { reason: 'The key was not found.', thumbprint: f.thumbprint, foundKey: '' });
    case 'bad-signature': {
      const { start, end } = keyValidity(f.key);
      return new EntraError(50013, {
        reason: 'The provided signature value did not match the expected signature value.',
        thumbprint: f.thumbprint,
        foundKey: `, Found key 'Start=${start}, End=${end}'`,
      });
    }
    // Signed with a key of the mock but issued by another tenant (the mock's tenants share the
    // machine key unless one rotates): UNCONFIRMED; Entra trusts a tenant's tokens for that tenant only.
    case 'issuer':
      return new EntraError(50013, { reason: 'The key was not found.', thumbprint: f.thumbprint, foundKey: '' });
    case 'expired':
      return new EntraError(500133, { now: dotnetTime(nowMs), exp: dotnetTime(f.exp * 1000) });
    // Not yet valid: the same time-range refusal (UNCONFIRMED; Entra's message names only expiry).
    case 'not-yet-valid':
      return new EntraError(500133, { now: dotnetTime(nowMs), exp: dotnetTime(f.nbf * 1000) });
  }
}
