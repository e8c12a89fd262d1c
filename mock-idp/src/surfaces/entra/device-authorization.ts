import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { EntraError } from '../../errors/entra-error.js';
import { refuseSingleTenantOnAlias, resolveClient } from '../../protocol/client-app.js';
import { Params } from '../../protocol/params.js';
import { parseScopes } from '../../protocol/scope.js';
import { DEVICE_CODE_INTERVAL_S, DEVICE_CODE_LIFETIME_S, mintDeviceCode } from '../../store/device-codes.js';
import { DEVICE_PAGE_PATH } from './device-login.js';
import { tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * The device authorization endpoint (`/{tenant}/oauth2/v2.0/devicecode`, v1
 * `/{tenant}/oauth2/devicecode`): a device code, the user code to type on the mock's device
 * sign-in page (`/common/oauth2/deviceauth`, the page behind Entra's microsoft.com/devicelogin),
 * and Entra's message. No `verification_uri_complete`: Entra sends none.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code#device-authorization-response
 *
 * v2 answers `verification_uri` and numbers; v1 answers as ADAL reads it, `verification_url` with
 * `expires_in` and `interval` as strings (ADAL for Python's device-code sample output; UNCONFIRMED
 * on today's wire). The client is checked like a token request's (tenant, client, a single-tenant
 * app on /common); whether it may use the flow at all (a public client, or one that
 * authenticates) is checked when the code is redeemed, which is when Entra answers AADSTS7000218.
 */

export function registerDeviceAuthorizationRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const [path, version] of [
    ['/:tenant/oauth2/v2.0/devicecode', 'v2'],
    ['/:tenant/oauth2/devicecode', 'v1'],
  ] as const) {
    app.post<TenantRoute>(path, (request, reply) => deviceAuthorization(ctx, request, reply, version));
    app.route<TenantRoute>({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url: path,
      handler: async (request) => {
        tenantOf(ctx, request, `devicecode.${version}`);
        throw new EntraError(900561, { method: request.method });
      },
    });
  }
}

/** The message Entra sends, word for word (MSAL's DeviceCodeResponse fixture). */
export const deviceCodeMessage = (verificationUri: string, userCode: string): string =>
  `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`;

async function deviceAuthorization(ctx: MockContext, request: FastifyRequest<TenantRoute>, reply: FastifyReply, version: 'v1' | 'v2'): Promise<FastifyReply> {
  reply.headers({ 'cache-control': 'no-store, no-cache', pragma: 'no-cache', expires: '-1', 'content-type': 'application/json; charset=utf-8' });
  const seg = tenantOf(ctx, request, `devicecode.${version}`);
  const params = request.body instanceof URLSearchParams ? Params.from(request.body) : Params.empty();
  const clientId = params.require('client_id');
  request.notes.clientId = clientId;
  request.notes.flow = 'device_code';
  const { tenant, app } = resolveClient(ctx.tenants, seg, clientId);
  request.notes.tenant = tenant;
  refuseSingleTenantOnAlias(seg, app);
  const scope = version === 'v2' ? params.require('scope') : `openid ${params.require('resource').replace(/\/+$/, '')}/.default`;
  // Refusals of the scope (unknown resource, malformed value) come now, not at the first poll.
  parseScopes(tenant.directory, scope, app);
  const minted = await mintDeviceCode(ctx.store, ctx.sealer, tenant, app.appId, scope);
  const verificationUri = `${ctx.urls.login}${DEVICE_PAGE_PATH}`;
  const message = deviceCodeMessage(verificationUri, minted.userCode);
  const body =
    version === 'v2'
      ? {
          user_code: minted.userCode,
          device_code: minted.deviceCode,
          verification_uri: verificationUri,
          expires_in: DEVICE_CODE_LIFETIME_S,
          interval: DEVICE_CODE_INTERVAL_S,
          message,
        }
      : {
          user_code: minted.userCode,
          device_code: minted.deviceCode,
          verification_url: verificationUri,
          expires_in: String(DEVICE_CODE_LIFETIME_S),
          interval: String(DEVICE_CODE_INTERVAL_S),
          message,
        };
  return reply.code(200).send(JSON.stringify(body));
}
