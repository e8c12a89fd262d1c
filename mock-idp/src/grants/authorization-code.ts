import { EntraError } from '../errors/entra-error.js';
import { verifierMatches } from '../protocol/pkce.js';
import { checkResourceParameter } from '../protocol/resource-parameter.js';
import { parseScopes } from '../protocol/scope.js';
import { requireV1ResourceForCode } from '../protocol/v1-resource.js';
import { CODE_LIFETIME_MS, consumeCode, findCode, issuedHere } from '../store/codes.js';
import { issueConsentedTokens } from './delegated-tokens.js';
import { authenticateForPlatform } from './client-authentication.js';
import type { GrantHandler } from './grant.js';

/**
 * grant_type=authorization_code. Checks in Entra's order: client authentication for the code's
 * platform, the code's client, lifetime, redirect_uri, PKCE, then single use — the code is
 * consumed atomically last, so of N parallel redemptions exactly one succeeds (AADSTS54005 for
 * the rest). https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 */

export const authorizationCodeGrant: GrantHandler = async (g) => {
  const code = g.params.require('code');
  const record = await findCode(g.ctx.store, g.tenant, code);
  if (!record) {
    // A code the mock does not hold: the client still has to be who it says it is first.
    if (g.credentials.secret !== undefined || g.credentials.assertion !== undefined) authenticateForPlatform(g, 'web', false);
    // One it issued in this tenant's life but no longer keeps (past the per-tenant cap, or swept
    // after its lifetime) answers as expired; anything else was never issued here.
    if (issuedHere(g.ctx.sealer, g.tenant, code)) throw new EntraError(70008);
    throw new EntraError(9002313);
  }
  if (record.clientId !== g.client.appId.toLowerCase()) throw new EntraError(70000, { name: 'code' });
  const clientAuth = authenticateForPlatform(g, record.platform, record.pkce !== undefined);
  if (record.issuedAt + CODE_LIFETIME_MS <= g.tenant.now()) throw new EntraError(70008);
  const redirectUri = g.params.require('redirect_uri');
  if (redirectUri !== record.redirectUri) throw new EntraError(50011, { redirectUri, clientId: g.client.appId });
  if (record.pkce) {
    const verifier = g.params.get('code_verifier');
    if (verifier === undefined || !verifierMatches(verifier, record.pkce)) throw new EntraError(50148);
  }
  const user = g.tenant.directory.users.get(record.userId);
  if (!user) throw new EntraError(9002313);
  // The token request may narrow the scope to one resource; without it, the code's scope counts.
  // Checked before the code is used up: a refused request leaves it redeemable.
  const scope = g.params.get('scope') ?? record.scope;
  const requested = parseScopes(g.tenant.directory, scope, g.client);
  const fromCode = parseScopes(g.tenant.directory, record.scope);
  if (g.version === 'v1') requireV1ResourceForCode(g.params, fromCode);
  else checkResourceParameter(g.tenant.directory, g.params, requested);
  if (!(await consumeCode(g.ctx.store, g.tenant, code))) throw new EntraError(54005);

  for (const s of fromCode.oidc) requested.oidc.add(s);
  return issueConsentedTokens(g, {
    clientAuth,
    session: { user, sid: record.sid, authTime: record.authTime, ipaddr: record.ipaddr },
    scopes: requested,
    scope,
    platform: record.platform,
    alwaysRefreshToken: g.version === 'v1',
    chainStart: g.tenant.now(),
    nonce: record.nonce,
  });
};
