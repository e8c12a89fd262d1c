import type { RedirectPlatform } from '../directory/model.js';
import { authenticateConfidentialClient, refuseCredentialForPublicClient } from '../protocol/client-auth.js';
import type { ClientAuthLevel } from '../tokens/claims.js';
import { EntraError } from '../errors/entra-error.js';
import type { GrantRequest } from './grant.js';

/**
 * Who must authenticate, by the platform the code or refresh token was issued through: web →
 * confidential (a secret or certificate), spa → public and only cross-origin (Origin header),
 * publicClient → public. https://learn.microsoft.com/entra/identity-platform/reply-url
 */
export function authenticateForPlatform(g: GrantRequest, platform: RedirectPlatform | 'none', hasPkce: boolean): ClientAuthLevel {
  const origin = g.request.headers.origin;
  if (platform === 'spa') {
    if (typeof origin !== 'string' || origin === '') throw new EntraError(9002327);
    if (!hasPkce) throw new EntraError(9002325);
    refuseCredentialForPublicClient(g.credentials);
    return '0';
  }
  if (typeof origin === 'string' && origin !== '') throw new EntraError(9002326, { origin });
  if (platform === 'publicClient') {
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
