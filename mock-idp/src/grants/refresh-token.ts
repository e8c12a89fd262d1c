import { dotnetTime, EntraError } from '../errors/entra-error.js';
import { checkResourceParameter } from '../protocol/resource-parameter.js';
import { parseScopes } from '../protocol/scope.js';
import { REFRESH_TOKEN_PURPOSE, RT_INACTIVITY_MS, SPA_RT_LIFETIME_MS, type RefreshTokenRecord } from '../store/records.js';
import { BOOT_INCARNATION } from '../runtime/tenant-runtime.js';
import { issueConsentedTokens } from './delegated-tokens.js';
import { authenticateForPlatform } from './client-authentication.js';
import type { GrantHandler } from './grant.js';

/**
 * grant_type=refresh_token. Each use returns a new refresh token and, as in Entra, the old one
 * stays valid until it expires (90 days of inactivity; 24 hours fixed for SPA tokens) or the
 * user's sessions are revoked. https://learn.microsoft.com/entra/identity-platform/refresh-tokens
 */

export const refreshTokenGrant: GrantHandler = async (g) => {
  const token = g.params.require('refresh_token');
  const record = token.startsWith('1.A') ? g.ctx.sealer.unseal<RefreshTokenRecord>(token.slice(3), REFRESH_TOKEN_PURPOSE) : undefined;
  // A token of another tenant, or of an earlier tenant under this id (deleted and created again):
  // one the mock never issued as far as this tenant is concerned.
  if (!record || record.tid !== g.tenant.id || (record.inc ?? BOOT_INCARNATION) !== g.tenant.incarnation) throw new EntraError(9002313);
  if (record.cid !== g.client.appId.toLowerCase()) throw new EntraError(70000, { name: 'refresh_token' });
  const clientAuth = authenticateForPlatform(g, record.platform === 'none' ? 'web' : record.platform, true);
  const now = g.tenant.now();
  if (record.platform === 'spa' && record.chainStart + SPA_RT_LIFETIME_MS <= now) throw new EntraError(700084, { issuedOn: dotnetTime(record.chainStart) });
  if (record.iat + RT_INACTIVITY_MS <= now) throw new EntraError(700082, { issuedOn: dotnetTime(record.iat) });
  const validFrom = g.tenant.tokensValidFrom.get(record.uid);
  if (validFrom !== undefined && record.iat < validFrom) {
    throw new EntraError(50173, { issuedOn: dotnetTime(record.iat), validFrom: dotnetTime(validFrom) });
  }
  const user = g.tenant.directory.users.get(record.uid);
  if (!user || user.accountEnabled === false) throw new EntraError(9002313);

  const scope = g.params.get('scope') ?? record.scope;
  const scopes = parseScopes(g.tenant.directory, scope, g.client);
  if (g.version === 'v2') checkResourceParameter(g.tenant.directory, g.params, scopes);
  return issueConsentedTokens(g, {
    clientAuth,
    session: { user, sid: record.sid, authTime: record.authTime, ipaddr: record.ipaddr },
    scopes,
    scope,
    platform: record.platform,
    alwaysRefreshToken: true,
    chainStart: record.chainStart,
  });
};
