import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { CLOUDS } from '../../impersonation/clouds.js';
import { currentHost } from '../../impersonation/request-urls.js';
import { METADATA_HEADERS } from './tenant-route.js';

/**
 * Instance discovery, which MSAL calls for authorities it does not know
 * (/common/discovery/instance?api-version=1.1&authorization_endpoint=…). The mock's host is its
 * own cloud: it is the preferred network and cache alias (docs/entra-wire.md §0). Impersonating,
 * the answer is Entra's own: the metadata of every cloud (the same capture), and the tenant
 * discovery endpoint on the host that was asked.
 */
export function registerInstanceDiscoveryRoute(app: FastifyInstance, ctx: MockContext): void {
  app.get<{ Querystring: { authorization_endpoint?: string | string[] } }>('/:tenant/discovery/instance', async (request, reply) => {
    request.notes.endpoint = 'instance-discovery';
    const host = new URL(ctx.urls.login).host;
    const asked = request.query.authorization_endpoint;
    const authz = typeof asked === 'string' ? asked : '';
    const tenantFromAuthority = /^https?:\/\/[^/]+\/([^/]+)\//.exec(authz)?.[1] ?? 'common';
    const body = {
      tenant_discovery_endpoint: `${ctx.urls.login}/${tenantFromAuthority}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: currentHost() ? ENTRA_METADATA : [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
    return reply.headers(METADATA_HEADERS).send(JSON.stringify(body));
  });
}

/** Entra's instance metadata as captured (docs/entra-wire.md §0), Germany's and login-us's entries included. */
const ENTRA_METADATA = [
  {
    preferred_network: CLOUDS.AzurePublic.login,
    preferred_cache: 'login.windows.net',
    aliases: [CLOUDS.AzurePublic.login, ...CLOUDS.AzurePublic.loginAliases],
  },
  {
    preferred_network: CLOUDS.AzureChina.login,
    preferred_cache: CLOUDS.AzureChina.login,
    aliases: [CLOUDS.AzureChina.login, ...CLOUDS.AzureChina.loginAliases],
  },
  { preferred_network: 'login.microsoftonline.de', preferred_cache: 'login.microsoftonline.de', aliases: ['login.microsoftonline.de'] },
  {
    preferred_network: CLOUDS.AzureUSGovernment.login,
    preferred_cache: CLOUDS.AzureUSGovernment.login,
    aliases: [CLOUDS.AzureUSGovernment.login, ...CLOUDS.AzureUSGovernment.loginAliases],
  },
  { preferred_network: 'login-us.microsoftonline.com', preferred_cache: 'login-us.microsoftonline.com', aliases: ['login-us.microsoftonline.com'] },
];
