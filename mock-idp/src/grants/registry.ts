import type { GrantHandler } from './grant.js';
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { passwordGrant } from './password.js';
import { deviceCodeGrant } from './device-code.js';
import { OBO_GRANT_TYPE, onBehalfOfGrant } from './on-behalf-of.js';
import { refreshTokenGrant } from './refresh-token.js';

/**
 * grant_type → handler: the authorization code, client credentials, refresh token, ROPC
 * (password), device code (MSAL Node's `device_code`, RFC 8628's
 * urn:ietf:params:oauth:grant-type:device_code) and on-behalf-of
 * (urn:ietf:params:oauth:grant-type:jwt-bearer). Any other grant_type: AADSTS70003.
 */
export const GRANTS: ReadonlyMap<string, GrantHandler> = new Map<string, GrantHandler>([
  ['authorization_code', authorizationCodeGrant],
  ['client_credentials', clientCredentialsGrant],
  ['refresh_token', refreshTokenGrant],
  ['password', passwordGrant],
  ['device_code', deviceCodeGrant],
  ['urn:ietf:params:oauth:grant-type:device_code', deviceCodeGrant],
  [OBO_GRANT_TYPE, onBehalfOfGrant],
]);
