import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { EntraError } from '../../errors/entra-error.js';
import { GRANTS } from '../../grants/registry.js';
import type { GrantRequest } from '../../grants/grant.js';
import { redeemingTenant, refuseSingleTenantOnAlias, resolveClient } from '../../protocol/client-app.js';
import type { ClientCredentials } from '../../protocol/client-auth.js';
import { Params } from '../../protocol/params.js';
import { tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * The token endpoint, v2 and v1. Form-encoded POST only: any other content type leaves the body
 * unread, so Entra (and the mock) miss grant_type (AADSTS900144); other methods get AADSTS900561.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 */

const TOKEN_HEADERS = {
  'cache-control': 'no-store, no-cache',
  pragma: 'no-cache',
  expires: '-1',
  'content-type': 'application/json; charset=utf-8',
} as const;

/**
 * CORS: browsers redeem SPA codes cross-origin, and must also be able to read the refusals
 * (AADSTS9002326). Entra answers with a wildcard origin (UNCONFIRMED: observed behaviour).
 */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-max-age': '86400',
} as const;

export function registerTokenRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const [path, version] of [
    ['/:tenant/oauth2/v2.0/token', 'v2'],
    ['/:tenant/oauth2/token', 'v1'],
  ] as const) {
    app.post<TenantRoute>(path, (request, reply) => token(ctx, request, reply, version));
    app.options(path, async (request, reply) => {
      request.notes.endpoint = 'token.preflight';
      const asked = request.headers['access-control-request-headers'];
      return reply
        .code(200)
        .headers({ ...CORS_HEADERS, 'access-control-allow-headers': typeof asked === 'string' ? asked : 'content-type' })
        .send();
    });
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url: path,
      handler: async (request) => {
        request.notes.endpoint = `token.${version}`;
        throw new EntraError(900561, { method: request.method });
      },
    });
  }
}

async function token(ctx: MockContext, request: FastifyRequest<TenantRoute>, reply: FastifyReply, version: 'v1' | 'v2'): Promise<FastifyReply> {
  reply.headers(TOKEN_HEADERS);
  if (request.headers.origin) reply.headers(CORS_HEADERS);
  const seg = tenantOf(ctx, request, `token.${version}`);
  const params = tokenParams(request.body, version);
  const grantType = params.require('grant_type');
  request.notes.flow = grantType;
  const basic = basicCredentials(request.headers.authorization);
  const clientId = params.get('client_id') ?? basic?.clientId;
  if (clientId === undefined) throw new EntraError(900144, { name: 'client_id' });
  request.notes.clientId = clientId;
  // App-only tokens need a tenant, and /common names none: Entra refuses before it looks for the
  // app (MicrosoftDocs/azure-docs#24064). UNCONFIRMED for /organizations; treated the same.
  if (seg.kind === 'multi' && grantType === 'client_credentials') throw new EntraError(50059);
  // ROPC names no tenant either, but /organizations finds it from the username (grants/password.ts).
  if (seg.kind === 'multi' && seg.alias !== 'organizations' && grantType === 'password') throw new EntraError(9001023);
  const { tenant: appTenant, app } = resolveClient(ctx.tenants, seg, clientId);
  const tenant = redeemingTenant(ctx.tenants, ctx.sealer, seg, appTenant, app, params);
  request.notes.tenant = tenant;
  refuseSingleTenantOnAlias(seg, app);
  const handler = GRANTS.get(grantType);
  if (!handler) throw new EntraError(70003, { grantType: grantType.slice(0, 200) });

  const credentials: ClientCredentials = {
    secret: params.get('client_secret') ?? basic?.secret,
    assertionType: params.get('client_assertion_type'),
    assertion: params.get('client_assertion'),
  };
  const login = ctx.urls.login;
  let audiences: string[] | undefined;
  const g: GrantRequest = {
    ctx,
    request,
    params,
    tenant,
    client: app,
    credentials,
    version,
    // MSAL names the authority's token endpoint; Entra accepts the tenant by GUID or by domain,
    // v1 or v2. Built on first use: only client assertions need it.
    get assertionAudiences() {
      return (audiences ??= [tenant.id, ...tenant.directory.domains, seg.segment].flatMap((t) => [
        `${login}/${t}/oauth2/v2.0/token`,
        `${login}/${t}/oauth2/token`,
      ]));
    },
  };
  const body = await handler(g);
  return reply.code(200).send(JSON.stringify(body));
}

/**
 * The form's parameters. The v1 endpoint names the API with `resource` instead of a scope; it is
 * read as `{resource}/.default`, which is what Entra does for v1 requests.
 */
function tokenParams(body: unknown, version: 'v1' | 'v2'): Params {
  if (!(body instanceof URLSearchParams)) return Params.empty();
  if (version === 'v1' && body.has('resource') && !body.has('scope')) {
    const copy = new URLSearchParams(body);
    const resource = copy.get('resource') ?? '';
    copy.set('scope', `${resource.replace(/\/+$/, '')}/.default${copy.get('grant_type') === 'client_credentials' ? '' : ' openid'}`);
    return Params.from(copy);
  }
  return Params.from(body);
}

/** client_secret_basic: RFC 6749 §2.3.1 form-encodes id and secret before base64. */
function basicCredentials(header: string | undefined): { clientId: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { clientId: dec(decoded.slice(0, i)), secret: dec(decoded.slice(i + 1)) };
}
