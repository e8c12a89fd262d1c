import type { FastifyPluginCallback } from 'fastify';
import type { MockContext } from '../../context.js';
import { registerAuthorizeRoutes } from './authorize.js';
import { registerDiscoveryRoutes } from './discovery.js';
import { registerInstanceDiscoveryRoute } from './instance-discovery.js';
import { registerJwksRoutes } from './jwks.js';
import { registerLogoutRoutes } from './logout.js';
import { registerTokenRoutes } from './token.js';

/**
 * Entra's own surface: discovery, keys, instance discovery, authorize, token and logout, under
 * `/{tenant}/…` (no fixed prefix: Entra's paths begin with the tenant). Its errors are Entra's:
 * AADSTS JSON from the token endpoint, Microsoft's error page or a redirect from the pages.
 */
export function entraSurface(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    registerDiscoveryRoutes(app, ctx);
    registerJwksRoutes(app, ctx);
    registerInstanceDiscoveryRoute(app, ctx);
    registerAuthorizeRoutes(app, ctx);
    registerTokenRoutes(app, ctx);
    registerLogoutRoutes(app, ctx);
    done();
  };
}
