import type { FastifyError, FastifyPluginCallback } from 'fastify';
import type { MockContext } from '../../context.js';
import { registerAppServiceRoutes } from './app-service.js';
import { IMDS_ERRORS, sendAppServiceError, sendImdsError } from './identity-errors.js';
import { registerImdsRoutes } from './imds.js';

/**
 * Managed identity: the token endpoints Azure runs next to a workload — App Service's
 * (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`) and IMDS's — minting app-only tokens for the managed
 * identities of the mock's tenants (fixture service principals of type ManagedIdentity). Each
 * answers in its own error shape (identity-errors.ts), Fastify's own refusals too. Its paths
 * share the `/{tenant}` space with Entra's, so it has no prefix and no not-found handler.
 * https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview
 */
export function managedIdentitySurface(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.setErrorHandler((error: Error, request, reply) => {
      const status = (error as FastifyError).statusCode;
      const imds = request.url.includes('/metadata/');
      if (status === undefined || status >= 500) request.log.error({ err: error }, 'unexpected error in a managed identity route');
      if (imds) return sendImdsError(reply, status !== undefined && status < 500 ? IMDS_ERRORS.invalidRequest : IMDS_ERRORS.unexpected);
      return status !== undefined && status < 500
        ? sendAppServiceError(reply, 400, 'The request is malformed.')
        : sendAppServiceError(reply, 500, 'An unexpected error occurred.');
    });
    registerAppServiceRoutes(app, ctx);
    registerImdsRoutes(app, ctx);
    done();
  };
}
