import type { User } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import { checkAssignment } from '../protocol/assignment.js';
import { authenticateConfidentialClient, refuseCredentialForPublicClient } from '../protocol/client-auth.js';
import { userTenantByLogin } from '../protocol/client-app.js';
import { checkResourceParameter } from '../protocol/resource-parameter.js';
import { parseScopes } from '../protocol/scope.js';
import { passwordMatches } from '../protocol/user-password.js';
import { newGuid } from '../support/ids.js';
import type { ClientAuthLevel } from '../tokens/claims.js';
import { issueConsentedTokens, singleResource } from './delegated-tokens.js';
import { issuerOf, type GrantRequest, type GrantHandler } from './grant.js';

/**
 * grant_type=password (resource owner password credentials, ROPC): the user's name and password
 * sent by the client itself. The tokens are those an authorization code would give the same user
 * (consent, scopes, id_token with openid, refresh token with offline_access).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
 *
 * Refusals, in the order the checks run: a v1 request without `resource` (AADSTS900144 naming
 * it, docs/entra-wire.md §12); the client — a public client ("Allow public client flows",
 * isFallbackPublicClient) must not present a credential (AADSTS700025), any other must
 * (AADSTS7000218); the user — unknown (AADSTS50034), disabled (AADSTS50057), without a password
 * in the directory (AADSTS50056), wrong password (AADSTS50126); per-user MFA, which a password
 * alone cannot satisfy (AADSTS50076, suberror basic_action); then assignment (AADSTS50105) and
 * consent (AADSTS65001, ROPC has no consent page). /common and /consumers are refused before
 * (AADSTS9001023, token endpoint).
 */

export const passwordGrant: GrantHandler = async (g) => {
  if (g.version === 'v1' && g.params.get('resource') === undefined) throw new EntraError(900144, { name: 'resource' });
  const clientAuth = authenticateRopcClient(g);
  const username = g.params.require('username');
  const password = g.params.require('password');
  const scope = g.params.require('scope');

  const tenant = userTenantByLogin(g.ctx.tenants, g.tenant, onAlias(g), username);
  const user = tenant.directory.usersByUpn.get(username.toLowerCase());
  if (!user) throw new EntraError(50034, { tenant: tenantNamed(g, tenant.id) });
  if (user.accountEnabled === false) throw new EntraError(50057);
  if (!user.password) throw new EntraError(50056);
  if (!passwordMatches(password, user.password)) throw new EntraError(50126);

  const ug: GrantRequest = tenant === g.tenant ? g : { ...g, tenant };
  const scopes = parseScopes(tenant.directory, scope, g.client);
  if (g.version === 'v2') checkResourceParameter(tenant.directory, g.params, scopes);
  refuseWithoutMfa(user, singleResource(issuerOf(ug), scopes, scope).app.appId);
  checkAssignment(tenant.directory, g.client, user);
  // Each ROPC sign-in is a session of its own (no browser, no SSO cookie).
  return issueConsentedTokens(ug, {
    clientAuth,
    session: { user, sid: newGuid(), authTime: tenant.clock.nowSeconds(), ipaddr: g.request.ip },
    scopes,
    scope,
    // A public client's refresh token is redeemed without a credential, a confidential one's with it.
    platform: clientAuth === '0' ? 'publicClient' : 'none',
    alwaysRefreshToken: g.version === 'v1',
    chainStart: tenant.now(),
  });
};

/**
 * A public client (isFallbackPublicClient: the portal's "Allow public client flows") signs in
 * without a credential and must not present one; any other app is confidential here.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc#authorization-request
 */
function authenticateRopcClient(g: GrantRequest): ClientAuthLevel {
  if (g.client.isFallbackPublicClient === true) {
    refuseCredentialForPublicClient(g.credentials);
    return '0';
  }
  return authenticateConfidentialClient(g.client, g.credentials, {
    now: g.tenant.now(),
    get audiences() {
      return g.assertionAudiences;
    },
  });
}

/**
 * Per-user MFA (enabled or enforced): ROPC cannot do the second factor. Entra answers after the
 * password is verified, naming the API the token was for.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc ("If users need to use
 * multi-factor authentication (MFA) to log in to the application, they will be blocked instead.")
 */
function refuseWithoutMfa(user: User, resourceAppId: string): void {
  if (user.perUserMfaState === 'enabled' || user.perUserMfaState === 'enforced') throw new EntraError(50076, { resource: resourceAppId });
}

const segmentOf = (g: GrantRequest): string => (g.request.params as { tenant?: string }).tenant ?? '';
const onAlias = (g: GrantRequest): boolean => ['organizations', 'common', 'consumers'].includes(segmentOf(g).toLowerCase());

/** The directory as the request named it: the tenant segment (domain or GUID); on /organizations the tenant's id. */
function tenantNamed(g: GrantRequest, tenantId: string): string {
  return onAlias(g) || tenantId !== g.tenant.id ? tenantId : segmentOf(g);
}
