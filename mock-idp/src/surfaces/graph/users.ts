import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { serveCollection, serveEntity } from '../../graph/collection.js';
import { USERS } from '../../graph/entity-sets.js';
import { demand, graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { findUser, me } from '../../graph/lookup.js';
import { allowed, PERMISSIONS } from '../../graph/permissions.js';

/**
 * Users: GET /v1.0/me, /v1.0/users, /v1.0/users/$count, /v1.0/users/{id | userPrincipalName}.
 * https://learn.microsoft.com/graph/api/user-get · https://learn.microsoft.com/graph/api/user-list
 * Permissions (docs/entra-wire.md §8.1): /me any user-reading delegated scope, User.Read at least;
 * /users User.ReadBasic.All / User.Read.All / Directory.Read.All (delegated) or User.Read.All /
 * Directory.Read.All (application); /users/{id} also User.Read when it is the signed-in user.
 */
export function registerUserRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.get(
    '/me',
    graphRoute(ctx, 'me', (call) => {
      const target = me(call);
      demand(allowed(call.caller, PERMISSIONS.me, true));
      return serveEntity(call, USERS, target.id);
    }),
  );

  const listUsers = (call: GraphCall, countOnly: boolean) =>
    serveCollection(call, {
      entitySet: USERS.name,
      sets: [USERS],
      typed: false,
      reference: false,
      ids: (ix) => ix.idsOf(USERS),
      key: 'users',
      orderable: ['displayName', 'userPrincipalName'],
      countOnly,
      // Graph's user skip tokens look like X'4453707402…' (docs/entra-wire.md §8.1).
      tokenStyle: 'hex',
    });
  app.get(
    '/users',
    graphRoute(ctx, 'users', (call) => listUsers(call, false), PERMISSIONS.listUsers),
  );
  app.get(
    '/users/$count',
    graphRoute(ctx, 'users.count', (call) => listUsers(call, true), PERMISSIONS.listUsers),
  );

  app.get<{ Params: { id: string } }>(
    '/users/:id',
    graphRoute<{ id: string }>(ctx, 'users.get', (call) => {
      const ref = call.request.params.id;
      // `%24count` reaches here rather than the static route.
      if (ref.toLowerCase() === '$count') {
        demand(allowed(call.caller, PERMISSIONS.listUsers));
        return listUsers(call, true);
      }
      const target = findUser(call, ref);
      demand(allowed(call.caller, PERMISSIONS.getUser, target?.self ?? false));
      if (!target) throw notFound(ref);
      return serveEntity(call, USERS, target.id);
    }),
  );
}
