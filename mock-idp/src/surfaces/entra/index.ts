import type { FastifyPluginCallback } from 'fastify';
import type { MockContext } from '../../context.js';
import { registerAdminConsentRoutes } from './admin-consent.js';
import { registerAuthorizeRoutes } from './authorize.js';
import { registerDeviceAuthorizationRoutes } from './device-authorization.js';
import { registerDeviceLoginRoutes } from './device-login.js';
import { registerDiscoveryRoutes } from './discovery.js';
import { handleEntraError } from './error-answer.js';
import { applyEntraFaults } from './fault-hook.js';
import { registerInstanceDiscoveryRoute } from './instance-discovery.js';
import { registerJwksRoutes } from './jwks.js';
import { registerLogoutRoutes } from './logout.js';
import { registerTokenRoutes } from './token.js';
import { answerUnknownPath } from './unknown-path.js';
import { registerUserRealmRoute } from './user-realm.js';

/**
 * Entra's own surface: discovery, keys, instance discovery, authorize, token, logout and the
 * device authorization endpoint and its sign-in page, under `/{tenant}/…` (no fixed prefix: Entra's paths begin with
 * the tenant). Its errors are Entra's:
 * AADSTS JSON from the token endpoint, Microsoft's error page or a redirect from the pages
 * (surfaces/entra/error-answer.ts). Registered without a prefix, its not-found handler answers
 * every path that no other surface's prefix claims: Entra's JSON under a tenant, the 404 page
 * elsewhere (unknown-path.ts).
 */
export function entraSurface(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.setErrorHandler((error: Error, request, reply) => handleEntraError(ctx, error, request, reply));
    app.setNotFoundHandler((request, reply) => answerUnknownPath(ctx, request, reply));
    app.addHook('preHandler', applyEntraFaults(ctx));
    registerDiscoveryRoutes(app, ctx);
    registerJwksRoutes(app, ctx);
    registerInstanceDiscoveryRoute(app, ctx);
    registerUserRealmRoute(app, ctx);
    registerAuthorizeRoutes(app, ctx);
    registerAdminConsentRoutes(app, ctx);
    registerTokenRoutes(app, ctx);
    registerLogoutRoutes(app, ctx);
    registerDeviceAuthorizationRoutes(app, ctx);
    registerDeviceLoginRoutes(app, ctx);
    done();
  };
}
