import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { EntraError } from '../../errors/entra-error.js';
import { refuseSingleTenantOnAlias, resolveClient } from '../../protocol/client-app.js';
import { Params } from '../../protocol/params.js';
import { tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * The device authorization endpoint that discovery advertises (`/{tenant}/oauth2/v2.0/devicecode`,
 * v1 `/{tenant}/oauth2/devicecode`). The device-code flow itself is a later issue; until then the
 * endpoint refuses in Entra's token-endpoint JSON — never an HTML page, which MSAL Node would try
 * to parse ("Unexpected token '<'"). The request is checked like a token request (tenant, client)
 * and then refused as a grant this mock does not support, AADSTS70003 naming `device_code`
 * (UNCONFIRMED: Entra supports the grant; this is the catalog's "not supported here" answer).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
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

async function deviceAuthorization(ctx: MockContext, request: FastifyRequest<TenantRoute>, reply: FastifyReply, version: 'v1' | 'v2'): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store, no-cache');
  const seg = tenantOf(ctx, request, `devicecode.${version}`);
  const params = request.body instanceof URLSearchParams ? Params.from(request.body) : Params.empty();
  const clientId = params.require('client_id');
  request.notes.clientId = clientId;
  const { tenant, app } = resolveClient(ctx.tenants, seg, clientId);
  request.notes.tenant = tenant;
  refuseSingleTenantOnAlias(seg, app);
  throw new EntraError(70003, { grantType: 'device_code' });
}
