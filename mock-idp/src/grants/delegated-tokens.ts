import type { Application, RedirectPlatform } from '../directory/model.js';
import { GRAPH_APP_ID } from '../directory/microsoft-graph.js';
import { EntraError } from '../errors/entra-error.js';
import type { Sealer } from '../keys/sealing.js';
import { grantedScopes, missingConsent } from '../protocol/consent.js';
import type { RequestedScopes, ResourceScopes } from '../protocol/scope.js';
import { REFRESH_TOKEN_PURPOSE, type RefreshTokenRecord } from '../store/records.js';
import { idToken, userAccessToken, type IssuerContext, type TokenVersion, type UserSession } from '../tokens/issue.js';
import type { ClientAuthLevel } from '../tokens/claims.js';
import { clientInfo } from '../tokens/subject.js';
import { issuerOf, type GrantRequest } from './grant.js';

/**
 * The token response for a user: access token for one resource, and — as the request asked —
 * an ID token (openid), a refresh token (offline_access), and client_info (client_info=1).
 * Field order as Entra's (docs/entra-wire.md §4).
 */

export interface DelegatedTokenInput {
  client: Application;
  clientAuth: ClientAuthLevel;
  session: UserSession;
  scopes: RequestedScopes;
  /** The scope string as the client sent it (kept in the refresh token). */
  scope: string;
  platform: RedirectPlatform | 'none';
  idTokenVersion: TokenVersion;
  /** v1 endpoints always return a refresh token; v2 only with offline_access. */
  alwaysRefreshToken: boolean;
  wantClientInfo: boolean;
  chainStart: number;
  /** The nonce sent to /authorize, echoed in the ID token. */
  nonce?: string | undefined;
}

export function singleResource(ictx: IssuerContext, scopes: RequestedScopes, scope: string): ResourceScopes {
  if (scopes.resources.length > 1) throw new EntraError(28000, { scope });
  const graph = ictx.tenant.directory.app(GRAPH_APP_ID)!;
  return scopes.resources[0] ?? { app: graph, identifier: GRAPH_APP_ID, values: [] };
}

/** The `scope` echoed in the response: the resource's scopes (Graph's short), then the OIDC ones. */
export function echoScope(resource: ResourceScopes, scp: string[], oidc: Set<string>, isGraph: boolean): string {
  const own = scp.filter((s) => !['openid', 'profile', 'email'].includes(s)).map((s) => (isGraph ? s : `${resource.identifier}/${s}`));
  const openid = ['profile', 'openid', 'email'].filter((s) => oidc.has(s));
  return [...own, ...openid].join(' ');
}

/** What a redeemed code or refresh token stands for; the token request itself says the rest. */
export type RedeemedGrant = Omit<DelegatedTokenInput, 'client' | 'idTokenVersion' | 'wantClientInfo'>;

/**
 * The tokens a code or a refresh token is redeemed for. The token request may name another
 * resource than /authorize did, and that needs consent too (AADSTS65001).
 */
export function issueConsentedTokens(g: GrantRequest, grant: RedeemedGrant): Promise<Record<string, unknown>> {
  if (missingConsent(g.tenant.directory, g.client, grant.session.user, grant.scopes).length > 0) {
    throw new EntraError(65001, { clientId: g.client.appId, appName: g.client.displayName });
  }
  return issueDelegatedTokens(issuerOf(g), g.ctx.sealer, {
    ...grant,
    client: g.client,
    idTokenVersion: g.version === 'v2' ? '2.0' : '1.0',
    wantClientInfo: g.params.get('client_info') === '1',
  });
}

export async function issueDelegatedTokens(ictx: IssuerContext, sealer: Sealer, input: DelegatedTokenInput): Promise<Record<string, unknown>> {
  const dir = ictx.tenant.directory;
  const resource = singleResource(ictx, input.scopes, input.scope);
  const scp = grantedScopes(dir, input.client, input.session.user, resource.app);
  const at = await userAccessToken(ictx, {
    client: input.client,
    clientAuth: input.clientAuth,
    session: input.session,
    resource: resource.app,
    resourceIdentifier: resource.identifier,
    scopes: scp,
  });
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: echoScope(resource, scp, input.scopes.oidc, dir.isGraph(resource.app)),
    expires_in: at.expiresIn,
    ext_expires_in: at.expiresIn,
    access_token: at.token,
  };
  if (input.scopes.oidc.has('offline_access') || input.alwaysRefreshToken) {
    const now = ictx.tenant.now();
    const record: RefreshTokenRecord = {
      tid: ictx.tenant.id,
      inc: ictx.tenant.incarnation,
      cid: input.client.appId.toLowerCase(),
      uid: input.session.user.id.toLowerCase(),
      sid: input.session.sid,
      authTime: input.session.authTime,
      scope: input.scope,
      platform: input.platform,
      iat: now,
      chainStart: input.chainStart,
      ipaddr: input.session.ipaddr,
    };
    body.refresh_token = `1.A${sealer.seal(record, REFRESH_TOKEN_PURPOSE)}`;
    if (input.platform === 'spa') body.refresh_token_expires_in = Math.max(0, Math.round((input.chainStart + 24 * 3600 * 1000 - now) / 1000));
  }
  if (input.scopes.oidc.has('openid')) {
    body.id_token = await idToken(ictx, {
      client: input.client,
      session: input.session,
      oidc: input.scopes.oidc,
      nonce: input.nonce,
      version: input.idTokenVersion,
    });
  }
  if (input.wantClientInfo) body.client_info = clientInfo(input.session.user.id, ictx.tenant.id);
  return body;
}
