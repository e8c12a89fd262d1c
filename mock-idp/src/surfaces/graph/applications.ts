import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { applicationObjects } from '../../graph/application-resources.js';
import { serveCollection, serveEntity } from '../../graph/collection.js';
import { APP_ROLE_ASSIGNMENTS, APPLICATIONS, SERVICE_PRINCIPALS, type EntitySet } from '../../graph/entity-sets.js';
import { demand, graphRoute, notFound, type GraphCall } from '../../graph/graph-route.js';
import { findIn, findUser, me, type Target } from '../../graph/lookup.js';
import { allowed, PERMISSIONS } from '../../graph/permissions.js';

/**
 * Applications and service principals, read-only: GET /applications, /applications/{id},
 * /servicePrincipals (`$filter=appId eq '…'` finds an app's), /servicePrincipals/{id}, their
 * `$count`, and the app role assignments: /servicePrincipals/{id}/appRoleAssignedTo (who holds
 * the resource's roles) and /users/{id | upn}/appRoleAssignments, /me/appRoleAssignments.
 * https://learn.microsoft.com/graph/api/application-list · …/serviceprincipal-list ·
 * …/serviceprincipal-list-approleassignedto · …/user-list-approleassignments
 * Permissions: Application.Read.All, Application.ReadWrite.All, Directory.Read.All (and
 * AppRoleAssignment.ReadWrite.All for the assignments), as permissions.ts lists them.
 */

function listOf(call: GraphCall, set: EntitySet, countOnly: boolean) {
  return serveCollection(call, {
    entitySet: set.name,
    sets: [set],
    typed: false,
    reference: false,
    ids: (ix) => ix.idsOf(set),
    key: set.name,
    orderable: ['displayName'],
    countOnly,
  });
}

/** `/servicePrincipals(appId='…')` and `/applications(appId='…')`: the alternate key Graph documents (permissions-reference). */
export function serveByAppId(call: GraphCall, setName: 'applications' | 'servicePrincipals', appId: string) {
  demand(allowed(call.caller, PERMISSIONS.applications));
  const d = applicationObjects(call.caller.tenant.directory);
  const key = appId.toLowerCase();
  if (setName === 'applications') {
    const found = [...d.apps.values()].find((a) => a.app.appId.toLowerCase() === key);
    if (found) return serveEntity(call, APPLICATIONS, found.id);
  } else {
    const found = [...d.sps.values()].find((s) => s.sp.appId === key);
    if (found) return serveEntity(call, SERVICE_PRINCIPALS, found.id);
  }
  throw notFound(appId);
}

export function registerApplicationRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const set of [APPLICATIONS, SERVICE_PRINCIPALS] as const) {
    const rule = PERMISSIONS.applications;
    app.get(
      `/${set.name}`,
      graphRoute(ctx, set.name, (call) => listOf(call, set, false), rule),
    );
    app.get(
      `/${set.name}/$count`,
      graphRoute(ctx, `${set.name}.count`, (call) => listOf(call, set, true), rule),
    );
    app.get<{ Params: { id: string } }>(
      `/${set.name}/:id`,
      graphRoute<{ id: string }>(
        ctx,
        `${set.name}.get`,
        (call) => {
          const ref = call.request.params.id;
          // `%24count` reaches here rather than the static route.
          if (ref.toLowerCase() === '$count') return listOf(call, set, true);
          const target = findIn<{ id: string }>(call, set, ref);
          if (!target) throw notFound(ref);
          return serveEntity(call, set as EntitySet, target.id);
        },
        rule,
      ),
    );
  }

  const assignments = (call: GraphCall, context: string, key: string, ids: string[], countOnly: boolean) =>
    serveCollection(call, {
      entitySet: context,
      sets: [APP_ROLE_ASSIGNMENTS],
      typed: false,
      reference: false,
      ids: () => ids,
      key,
      countOnly,
    });

  for (const countOnly of [false, true]) {
    const suffix = countOnly ? '/$count' : '';
    app.get<{ Params: { id: string } }>(
      `/servicePrincipals/:id/appRoleAssignedTo${suffix}`,
      graphRoute<{ id: string }>(
        ctx,
        `servicePrincipals.appRoleAssignedTo${countOnly ? '.count' : ''}`,
        (call) => {
          const ref = call.request.params.id;
          const target = findIn(call, SERVICE_PRINCIPALS, ref);
          if (!target) throw notFound(ref);
          const ids = applicationObjects(call.caller.tenant.directory).byResource.get(target.id) ?? [];
          return assignments(call, `servicePrincipals('${target.id}')/appRoleAssignedTo`, `sp/${target.id}/appRoleAssignedTo`, ids, countOnly);
        },
        PERMISSIONS.appRoleAssignedTo,
      ),
    );
    const userAssignments = (call: GraphCall, target: Target | undefined, ref: string) => {
      demand(allowed(call.caller, PERMISSIONS.appRoleAssignments, target?.self ?? false));
      if (!target) throw notFound(ref);
      const ids = applicationObjects(call.caller.tenant.directory).byPrincipal.get(target.id) ?? [];
      return assignments(call, `users('${target.id}')/appRoleAssignments`, `user/${target.id}/appRoleAssignments`, ids, countOnly);
    };
    app.get<{ Params: { id: string } }>(
      `/users/:id/appRoleAssignments${suffix}`,
      graphRoute<{ id: string }>(ctx, `users.appRoleAssignments${countOnly ? '.count' : ''}`, (call) =>
        userAssignments(call, findUser(call, call.request.params.id), call.request.params.id),
      ),
    );
    app.get(
      `/me/appRoleAssignments${suffix}`,
      graphRoute(ctx, `me.appRoleAssignments${countOnly ? '.count' : ''}`, (call) => userAssignments(call, me(call), '')),
    );
  }
}
