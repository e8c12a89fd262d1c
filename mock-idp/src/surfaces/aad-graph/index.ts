import type { FastifyPluginCallback } from 'fastify';
import type { MockContext } from '../../context.js';
import { registerOverageRoute } from './overage.js';

/**
 * The retired Azure AD Graph, as far as Entra still points at it: the groups-overage pointer's
 * `POST /{tenant}/users/{oid}/getMemberObjects`, answered in Azure AD Graph's own error shape.
 */
export function aadGraphSurface(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    registerOverageRoute(app, ctx);
    done();
  };
}
