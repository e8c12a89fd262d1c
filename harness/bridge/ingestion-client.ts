import * as client from 'openid-client';
import type { FetchLike } from '../../mock-idp/src/testing.js';
import { toBridgeError, type BridgeError } from './bridge-error.js';
import { decodeJwtClaims, discover } from './http.js';

/**
 * The minimal ingestion client of OpenMetadata's guide ("Configure Ingestion": `clientId`,
 * `clientSecret`, `authority`, `scopes`): OAuth 2.0 client credentials through openid-client for
 * an app-only token to the OpenMetadata API (`api://{appId}/.default`).
 *
 * @example
 * const r = await runIngestion({ authority: `${mock.url}/${CONTOSO.tenantId}`, clientId: CONTOSO.ingestion.appId,
 *   clientSecret: CONTOSO.ingestion.secret, scope: `${CONTOSO.openMetadataUi.apiUri}/.default`, ca: mock.caPem });
 * if (r.ok) r.claims.aud;   // 'api://91e7eb8b-…' (v1 token)
 * else r.error.aadsts;      // e.g. 7000215
 */

export interface IngestionOptions {
  /** `${mockUrl}/${tenantId}` (like `https://login.microsoftonline.com/{tenantId}`). */
  authority: string;
  clientId: string;
  clientSecret: string;
  /** `api://{appId}/.default` */
  scope: string;
  /** PEM of the mock's CA when the mock is HTTPS. */
  ca?: string | undefined;
  /** Addition: the mock serves plain HTTP. */
  allowInsecureRequests?: boolean;
  /** Addition: the HTTP function (default `trustingFetch(ca)`). */
  fetch?: FetchLike;
}

export type IngestionResult =
  { ok: true; accessToken: string; claims: Record<string, unknown>; tokenType: string; expiresIn?: number } | { ok: false; error: BridgeError };

/** Never throws: discovery failures come back with phase 'verify', token refusals with phase 'token'. */
export async function runIngestion(o: IngestionOptions): Promise<IngestionResult> {
  let config: client.Configuration;
  try {
    const discoveryUrl = `${o.authority.replace(/\/+$/, '')}/v2.0/.well-known/openid-configuration`;
    config = await discover(discoveryUrl, o.clientId, client.ClientSecretPost(o.clientSecret), {
      ca: o.ca,
      allowInsecureRequests: o.allowInsecureRequests,
      fetch: o.fetch,
    });
  } catch (err) {
    return { ok: false, error: await toBridgeError('verify', err) };
  }
  try {
    const tokens = await client.clientCredentialsGrant(config, { scope: o.scope });
    const result: IngestionResult = { ok: true, accessToken: tokens.access_token, claims: decodeJwtClaims(tokens.access_token), tokenType: tokens.token_type };
    if (typeof tokens.expires_in === 'number') result.expiresIn = tokens.expires_in;
    return result;
  } catch (err) {
    return { ok: false, error: await toBridgeError('token', err) };
  }
}
