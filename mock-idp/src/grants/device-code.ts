import { EntraError } from '../errors/entra-error.js';
import { authenticateConfidentialClient, presentsCredential } from '../protocol/client-auth.js';
import { parseScopes } from '../protocol/scope.js';
import { consumeDeviceCode, deviceCodeIssuedHere, findDeviceCode } from '../store/device-codes.js';
import type { ClientAuthLevel } from '../tokens/claims.js';
import { issueConsentedTokens } from './delegated-tokens.js';
import type { GrantHandler, GrantRequest } from './grant.js';

/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628; Python MSAL and the v2
 * docs) or `device_code` (MSAL Node, MSAL.NET; ADAL on v1, which names the code `code`).
 * Polling answers, in order: an unknown code `bad_verification_code`, a code past its lifetime
 * (tenant clock) `expired_token` AADSTS70020, a code the user has not answered
 * `authorization_pending` AADSTS70016, a cancelled one `authorization_declined`; then the tokens,
 * exactly as the authorization-code grant issues them (ID token with openid, refresh token with
 * offline_access — always on v1 — consent checked again), once.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code#authenticating-the-user
 *
 * Who may redeem: an app with "Allow public client flows" (isFallbackPublicClient) without a
 * credential; an app that presents one must authenticate with it; any other app gets AADSTS7000218
 * (the answer users meet when the setting is off: Azure-Samples/ms-identity-python-devicecodeflow
 * threads). UNCONFIRMED: that Entra checks this only once the user has answered, as the mock does
 * (reports describe the error after signing in), and that a confidential app may redeem with its
 * credential. Entra's `slow_down` is undocumented, so the mock never sends it.
 */

export const deviceCodeGrant: GrantHandler = async (g) => {
  // v1 (ADAL) sends the device code as `code`.
  const deviceCode = g.params.get('device_code') ?? (g.version === 'v1' ? g.params.get('code') : undefined);
  if (deviceCode === undefined) throw new EntraError(900144, { name: 'device_code' });
  const record = await findDeviceCode(g.ctx.store, g.tenant, deviceCode);
  if (!record) {
    if (deviceCodeIssuedHere(g.ctx.sealer, g.tenant, deviceCode)) throw new EntraError(70020);
    throw new EntraError(70018);
  }
  if (record.clientId !== g.client.appId.toLowerCase()) throw new EntraError(70018);
  if (record.expiresAt <= g.tenant.now()) throw new EntraError(70020);
  if (record.state === 'pending') throw new EntraError(70016);
  if (record.state === 'declined') throw new EntraError(65004);
  const clientAuth = authenticateDeviceClient(g);
  const user = record.userId !== undefined ? g.tenant.directory.users.get(record.userId) : undefined;
  if (!user || record.sid === undefined || record.authTime === undefined) throw new EntraError(70018);
  if (user.accountEnabled === false) throw new EntraError(50057);
  const scopes = parseScopes(g.tenant.directory, record.scope, g.client);
  // Redeemed once: a second poll with the same code answers as a used code (UNCONFIRMED:
  // microsoft-authentication-library-for-android #2427 shows invalid_grant for a used one).
  if (!(await consumeDeviceCode(g.ctx.store, g.tenant, deviceCode))) throw new EntraError(70000, { name: 'device_code' });
  return issueConsentedTokens(g, {
    clientAuth,
    session: { user, sid: record.sid, authTime: record.authTime, ipaddr: record.ipaddr },
    scopes,
    scope: record.scope,
    // The refresh token is redeemed later like one of the same kind of client.
    platform: clientAuth === '0' ? 'publicClient' : 'web',
    alwaysRefreshToken: g.version === 'v1',
    chainStart: g.tenant.now(),
  });
};

function authenticateDeviceClient(g: GrantRequest): ClientAuthLevel {
  if (presentsCredential(g.credentials) || g.credentials.assertionType !== undefined) {
    return authenticateConfidentialClient(g.client, g.credentials, {
      now: g.tenant.now(),
      get audiences() {
        return g.assertionAudiences;
      },
    });
  }
  if (g.client.isFallbackPublicClient === true) return '0';
  throw new EntraError(7000218);
}
