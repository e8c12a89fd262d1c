import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { METADATA_HEADERS } from './tenant-route.js';

/**
 * Instance discovery, which MSAL calls for authorities it does not know
 * (/common/discovery/instance?api-version=1.1&authorization_endpoint=…). The mock's host is its
 * own cloud: it is the preferred network and cache alias (docs/entra-wire.md §0).
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
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
    return reply.headers(METADATA_HEADERS).send(JSON.stringify(body));
  });
}
