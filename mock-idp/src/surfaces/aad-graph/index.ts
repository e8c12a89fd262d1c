import type { FastifyError, FastifyPluginCallback } from 'fastify';
import type { MockContext } from '../../context.js';
import { AAD_GRAPH_ERRORS, sendAadGraphError } from '../../errors/aad-graph-error.js';
import { registerOverageRoute } from './overage.js';

/**
 * The retired Azure AD Graph, as far as Entra still points at it: the groups-overage pointer's
 * `POST /{tenant}/users/{oid}/getMemberObjects`, every answer in Azure AD Graph's own error shape
 * (errors/aad-graph-error.ts) — Fastify's own refusals too (a body over the limit, a bad content
 * length). Its one route shares the `/{tenant}` space with Entra's endpoints on the mock's origin,
 * so it has no prefix of its own and no not-found handler: a path it does not take is Entra's.
 */
export function aadGraphSurface(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.setErrorHandler((error: Error, request, reply) => {
      const status = (error as FastifyError).statusCode;
      if (status !== undefined && status < 500) return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.requestNotValid);
      request.log.error({ err: error }, 'unexpected error in an Azure AD Graph route');
      return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.internalError);
    });
    registerOverageRoute(app, ctx);
    done();
  };
}
