import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { GRAPH_ERRORS, graphError } from '../../errors/graph-error.js';
import { directoryIndex } from '../../graph/directory-index.js';
import { GraphFailure } from '../../graph/graph-failure.js';
import { demand, graphRoute, notFound, sendJson, type GraphCall } from '../../graph/graph-route.js';
import { USERS } from '../../graph/entity-sets.js';
import { findGroup, findUser, me, type Target } from '../../graph/lookup.js';
import { allowed, PERMISSIONS } from '../../graph/permissions.js';
import { contextUrl, groupSecurityEnabled } from '../../graph/resources.js';
import { isGuid } from '../../support/ids.js';

/**
 * The membership actions: POST …/getMemberGroups, …/getMemberObjects (`{"securityEnabledOnly":
 * bool}`) and …/checkMemberGroups (`{"groupIds":[…]}`, at most 20) on /me, /users/{id} and
 * /groups/{id}. Transitive; answered as `Collection(Edm.String)`.
 * https://learn.microsoft.com/graph/api/directoryobject-getmembergroups · …/directoryobject-checkmembergroups
 *
 * securityEnabledOnly: true returns the security groups reached through security groups only
 * (a distribution or Microsoft 365 group breaks the chain, microsoft-graph-docs-contrib#1809) and
 * is refused on a group ("To get security groups, the member must be a user", the service's
 * wording quoted in microsoft-graph-docs#610). false returns every group.
 * UNCONFIRMED: the docs' old remark that the function "can only be called on a user if the
 * parameter is true" is read, with that issue, as the restriction above; false on a user is accepted.
 * Permissions: a user-reading and a group-reading permission together (User.Read alone is refused,
 * microsoft-graph-docs-contrib#8196), or Directory.Read.All; on groups, a group-reading one.
 */

type Action = 'getMemberGroups' | 'getMemberObjects' | 'checkMemberGroups';
type Subject = 'me' | 'users' | 'groups';
/** `id`: absent on /me. */
type SubjectParams = { id?: string };

function jsonBody(call: GraphCall<SubjectParams>, action: Action): Record<string, unknown> {
  const body = call.request.body as { json?: unknown; invalidJson?: true; unsupportedBody?: true } | undefined;
  if (body === undefined || body === null) throw new GraphFailure(GRAPH_ERRORS.emptyPayload);
  if (body.invalidJson || body.unsupportedBody) throw new GraphFailure(GRAPH_ERRORS.invalidJsonBody);
  const json = body.json;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GraphFailure(GRAPH_ERRORS.invalidJsonBody);
  const allowedKeys = action === 'checkMemberGroups' ? ['groupIds'] : ['securityEnabledOnly'];
  for (const k of Object.keys(json)) {
    if (!allowedKeys.includes(k)) throw new GraphFailure(graphError(GRAPH_ERRORS.unknownActionParameter, { parameter: k, operation: action }));
  }
  return json as Record<string, unknown>;
}

function resolve(call: GraphCall<SubjectParams>, subject: Subject): Target | undefined {
  if (subject === 'me') return me(call);
  const ref = call.request.params.id ?? '';
  return subject === 'users' ? findUser(call, ref) : findGroup(call, ref);
}

export function registerMemberGroupsRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const subject of ['me', 'users', 'groups'] as const) {
    for (const action of ['getMemberGroups', 'getMemberObjects', 'checkMemberGroups'] as const) {
      const path = `${subject === 'me' ? '/me' : `/${subject}/:id`}/${action}`;
      const endpoint = `${subject}.${action}`;
      app.post<{ Params: SubjectParams }>(
        path,
        graphRoute<SubjectParams>(ctx, endpoint, (call) => {
          const target = resolve(call, subject);
          demand(allowed(call.caller, subject === 'groups' ? PERMISSIONS.groupMemberGroups : PERMISSIONS.userMemberGroups, target?.self ?? false));
          if (!target) throw notFound(call.request.params.id ?? '');
          const body = jsonBody(call, action);
          const ix = directoryIndex(call.caller.tenant.directory);
          let value: string[];
          if (action === 'checkMemberGroups') {
            const ids = body.groupIds;
            if (!Array.isArray(ids) || ids.some((g) => typeof g !== 'string')) {
              throw new GraphFailure(graphError(GRAPH_ERRORS.invalidActionParameter, { property: 'groupIds', resource: 'Object' }));
            }
            if (ids.length > 20) throw new GraphFailure(GRAPH_ERRORS.tooManyGroupIds);
            for (const g of ids as string[]) if (!isGuid(g)) throw new GraphFailure(graphError(GRAPH_ERRORS.invalidObjectId, { id: g }));
            const member = new Set(ix.transitiveMemberOf(target.id));
            value = [...new Set((ids as string[]).map((g) => g.toLowerCase()))].filter((g) => member.has(g));
          } else {
            const only = body.securityEnabledOnly;
            if (typeof only !== 'boolean') {
              throw new GraphFailure(graphError(GRAPH_ERRORS.invalidActionParameter, { property: 'securityEnabledOnly', resource: 'Object' }));
            }
            if (only && target.set !== USERS) throw new GraphFailure(GRAPH_ERRORS.securityGroupsNeedUser);
            value = only ? ix.securityMemberOf(target.id, groupSecurityEnabled) : ix.transitiveMemberOf(target.id);
          }
          // Graph promises no order; the mock answers in id order (checkMemberGroups: the order asked).
          return sendJson(call, JSON.stringify({ '@odata.context': contextUrl(ctx.urls.graph, 'Collection(Edm.String)'), value }));
        }),
      );
      // Actions are POST only (microsoft-graph-docs#119: the service's answer to a GET).
      app.get(
        path,
        graphRoute<SubjectParams>(ctx, endpoint, () => {
          throw new GraphFailure(GRAPH_ERRORS.methodNotAllowed);
        }),
      );
    }
  }
}
