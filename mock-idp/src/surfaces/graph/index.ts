import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import type { MockContext } from '../../context.js';
import { GRAPH_ERRORS, graphError } from '../../errors/graph-error.js';
import { GraphFailure } from '../../graph/graph-failure.js';
import { graphCors } from '../../graph/cors.js';
import {
  applyGraphFaults,
  checkGraphPermission,
  graphErrorHandler,
  graphMethodNotAllowed,
  nameGraphEndpoint,
  requireGraphCaller,
} from '../../graph/graph-hooks.js';
import { graphRoute } from '../../graph/graph-route.js';
import { registerApplicationRoutes, serveByAppId } from './applications.js';
import { graphBatch } from './batch.js';
import { registerDeltaRoutes } from './delta.js';
import { registerGetByIdsRoutes } from './get-by-ids.js';
import { registerGroupRoutes } from './groups.js';
import { registerMemberGroupsRoutes } from './member-groups.js';
import { registerMemberOfRoutes } from './member-of.js';
import { registerMemberRoutes } from './members.js';
import { registerOwnerRoutes } from './owners.js';
import { registerPhotoRoutes } from './photos.js';
import { registerUserinfoRoutes } from './userinfo.js';
import { registerUserRoutes } from './users.js';

/**
 * Microsoft Graph's surface: v1.0 (under /v1.0) and OpenID Connect's userinfo (/oidc/userinfo),
 * every answer in Graph's error shape and readable cross-origin, as Graph's are (graph/cors.ts). The surface owns its error handler (graph/graph-hooks.ts);
 * each prefix has its own not-found handler, Graph's 405, for the methods no route takes. The
 * machinery (token check, faults, permissions, the query engine) lives in src/graph/.
 */
export function graphSurface(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.setErrorHandler(graphErrorHandler);
    // First: CORS headers on every answer, errors included, and the preflight answered before the token check.
    app.addHook('onRequest', graphCors);
    app.register(graphV1(ctx), { prefix: '/v1.0' });
    app.register(userinfo(ctx), { prefix: '/oidc/userinfo' });
    done();
  };
}

/**
 * Everything under /v1.0. Fastify's not-found router is case-sensitive while the routes' router
 * is not, so the catch-all routes (the bare /v1.0 here, /v1.0/* in graphV1Routes, /oidc/userinfo*
 * in userinfo) answer /V1.0 as /v1.0; the not-found handler is left with the methods Fastify
 * routes nowhere (PROPFIND, SEARCH…).
 */
function graphV1(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.setNotFoundHandler(graphMethodNotAllowed);
    // The bare /v1.0 is no resource: answered before any token check, as a path no route takes.
    app.all('/', graphMethodNotAllowed);
    app.decorateRequest('graphCaller', null);
    app.register(graphV1Routes(ctx));
    app.register(graphBatch(ctx));
    done();
  };
}

/**
 * Microsoft Graph v1.0, the directory part a group sync needs: users, groups, memberships,
 * the membership actions and groups/delta. Paths are Graph's, under /v1.0 on the mock's origin
 * (discovery's msgraph_host points here). Every route runs behind the token check, the tenant's
 * faults and its permission (the preHandlers, in this order).
 */
function graphV1Routes(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.addHook('preHandler', nameGraphEndpoint);
    app.addHook('preHandler', requireGraphCaller(ctx));
    app.addHook('preHandler', applyGraphFaults);
    app.addHook('preHandler', checkGraphPermission);
    registerGraphRoutes(app, ctx);
    done();
  };
}

function registerGraphRoutes(app: FastifyInstance, ctx: MockContext): void {
  registerUserRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerMemberRoutes(app, ctx);
  registerMemberOfRoutes(app, ctx);
  registerMemberGroupsRoutes(app, ctx);
  registerDeltaRoutes(app, ctx);
  registerPhotoRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  registerOwnerRoutes(app, ctx);
  registerGetByIdsRoutes(app, ctx);
  app.all<{ Params: { '*': string } }>(
    '/*',
    graphRoute<{ '*': string }>(ctx, 'unknown', (call) => {
      const rest = call.request.params['*'];
      // The alternate key `servicePrincipals(appId='…')` (no slash: no route of its own).
      const byAppId = /^(applications|servicePrincipals)\(appId='([^'/]+)'\)$/i.exec(rest);
      if (byAppId && call.request.method === 'GET') {
        return serveByAppId(call, byAppId[1]!.toLowerCase() === 'applications' ? 'applications' : 'servicePrincipals', byAppId[2]!);
      }
      return refuseUnknown(call.request.method, rest);
    }),
  );
}

/** OpenID Connect's userinfo; anything else under /oidc/userinfo (another method, a longer path) is Graph's 405. */
function userinfo(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.setNotFoundHandler(graphMethodNotAllowed);
    registerUserinfoRoutes(app, ctx);
    app.all('*', graphMethodNotAllowed);
    done();
  };
}

/** Segments of real Graph paths the mock does not serve (so it says so instead of "not found"). */
const NOT_IMPLEMENTED = new Set([
  'manager',
  'directreports',
  'ownedobjects',
  'registereddevices',
  'owneddevices',
  'drive',
  'drives',
  'messages',
  'mailfolders',
  'calendar',
  'events',
  'contacts',
  'licensedetails',
  'checkmemberobjects',
  'transitivereports',
  'devices',
  'directoryroles',
  'organization',
  'domains',
  'administrativeunits',
  'sites',
  'teams',
  'chats',
  'planner',
  'invitations',
  'oauth2permissiongrants',
  'settings',
  'team',
  'sites',
  'onenote',
]);
const NAVIGATIONS = new Set([
  'memberof',
  'transitivememberof',
  'members',
  'transitivemembers',
  'getmembergroups',
  'getmemberobjects',
  'checkmembergroups',
  'delta',
  'delta()',
  'microsoft.graph.delta',
  '$count',
  'photo',
  'photos',
  'owners',
  'approleassignments',
  'approleassignedto',
  'getbyids',
]);

/**
 * What Graph answers for a path the routes above do not take: a write on a resource the mock
 * serves read-only (501, said plainly), a segment Graph does not have (400 "Resource not found
 * for the segment '…'."), or one Graph has and the mock does not serve (501).
 */
function refuseUnknown(method: string, rest: string): never {
  const segments = rest.split('/').filter(Boolean);
  const first = segments[0] ?? '';
  const top = first.toLowerCase();
  // A batch is only ever POSTed (graph/batch.ts).
  if (top === '$batch') throw new GraphFailure(GRAPH_ERRORS.methodNotAllowed);
  const known = top === 'me' || top === 'users' || top === 'groups' || top === 'applications' || top === 'serviceprincipals' || top === 'directoryobjects';
  if (!known) {
    if (NOT_IMPLEMENTED.has(top)) throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: `/v1.0/${first}` }));
    throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSegment, { segment: first }));
  }
  const nav = segments[top === 'me' ? 1 : 2];
  if (nav !== undefined && !NAVIGATIONS.has(nav.toLowerCase())) {
    if (NOT_IMPLEMENTED.has(nav.toLowerCase())) throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: `${nav} on ${first}` }));
    throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSegment, { segment: nav }));
  }
  if (method !== 'GET') throw new GraphFailure(graphError(GRAPH_ERRORS.mockNotImplemented, { feature: `${method} /v1.0/${rest}` }));
  throw new GraphFailure(graphError(GRAPH_ERRORS.unknownSegment, { segment: segments[segments.length - 1] ?? first }));
}
