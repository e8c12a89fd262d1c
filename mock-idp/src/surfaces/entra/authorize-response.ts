import type { MockContext } from '../../context.js';
import { echoScope, singleResource } from '../../grants/delegated-tokens.js';
import { grantedScopes } from '../../protocol/consent.js';
import { mintCode } from '../../store/codes.js';
import { idToken, userAccessToken, type IssuerContext, type UserSession } from '../../tokens/issue.js';
import type { AuthorizeRequest } from './authorize-request.js';

/**
 * What a successful authorize request sends back to the redirect URI, in Entra's order: the code
 * (code flow), the access token (implicit), the ID token (its c_hash and at_hash over them),
 * then `state` and `session_state`.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-implicit-grant-flow
 */

export async function authorizeResponse(ctx: MockContext, ar: AuthorizeRequest, session: UserSession): Promise<Array<[string, string]>> {
  const { tenant, client, responseType: rt } = ar;
  const out: Array<[string, string]> = [];
  const ictx: IssuerContext = { tenant, urls: ctx.urls, key: tenant.activeKey(ctx.machineKey) };
  let code: string | undefined;
  if (rt.code) {
    code = await mintCode(ctx.store, ctx.sealer, tenant, {
      clientId: client.appId.toLowerCase(),
      redirectUri: ar.target.redirectUri,
      platform: ar.redirect.platform,
      userId: session.user.id.toLowerCase(),
      sid: session.sid,
      authTime: session.authTime,
      ipaddr: session.ipaddr,
      scope: ar.scope,
      nonce: ar.nonce,
      pkce: ar.pkce,
    });
    out.push(['code', code]);
  }
  let accessToken: string | undefined;
  if (rt.token) {
    const resource = singleResource(ictx, ar.scopes, ar.scope);
    const scp = grantedScopes(tenant.directory, client, session.user, resource.app);
    const at = await userAccessToken(ictx, {
      client,
      clientAuth: '0',
      session,
      resource: resource.app,
      resourceIdentifier: resource.identifier,
      scopes: scp,
      implicit: true,
    });
    accessToken = at.token;
    out.push(
      ['access_token', at.token],
      ['token_type', 'Bearer'],
      ['expires_in', String(at.expiresIn)],
      ['scope', echoScope(resource, scp, ar.scopes.oidc, tenant.directory.isGraph(resource.app))],
    );
  }
  if (rt.idToken) {
    const version = ar.version === 'v2' ? '2.0' : '1.0';
    const token = await idToken(ictx, { client, session, oidc: ar.scopes.oidc, nonce: ar.nonce, code, accessToken, version, implicit: true });
    out.push(['id_token', token]);
  }
  if (ar.target.state !== undefined) out.push(['state', ar.target.state]);
  out.push(['session_state', session.sid]);
  return out;
}
