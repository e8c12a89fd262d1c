import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import type { MockContext } from '../../context.js';
import { ControlError } from './control-reply.js';

/**
 * The routes under /_mock/tenants/:id as one encapsulated plugin (registered with that prefix)
 * whose preHandler finds the tenant — by GUID or verified domain — and attributes the request to
 * it, or refuses with a 404 in the control API's shape. The routes then take it from
 * `scopedTenant(request)` and never look it up themselves.
 */

/** The path parameter every route of the scope has (its prefix). */
export interface TenantParams {
  id: string;
}

export function tenantScope(ctx: MockContext, registerRoutes: (scope: FastifyInstance) => void): FastifyPluginCallback {
  return (scope, _options, done) => {
    scope.addHook<{ Params: TenantParams }>('preHandler', (request, _reply, next) => {
      const id = request.params.id;
      const t = ctx.tenants.get(id) ?? ctx.tenants.byDomainName(id);
      if (!t) return next(new ControlError(404, 'NotFound', `No tenant ${id}.`));
      request.notes.tenant = t;
      next();
    });
    registerRoutes(scope);
    done();
  };
}
