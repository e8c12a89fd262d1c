import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { aadGraphError, AAD_GRAPH_ERRORS, sendAadGraphError } from '../../errors/aad-graph-error.js';
import { isEntraError } from '../../errors/entra-error.js';
import { verifyGraphCaller } from '../../graph/graph-caller.js';
import { resolveTenantSegment } from '../../protocol/tenant-segment.js';

/**
 * The target of the groups overage pointer (`_claim_sources.src1.endpoint`). Entra points at the
 * retired Azure AD Graph, `https://graph.windows.net/{tid}/users/{oid}/getMemberObjects`; the mock
 * points at this route on its own origin and answers in Azure AD Graph's shape:
 *   POST /{tid}/users/{oid}/getMemberObjects[?api-version=1.6]  {"securityEnabledOnly": false}
 *   → {"odata.metadata": ".../{tid}/$metadata#Collection(Edm.String)", "value": [every group id]}
 * Deviation, on purpose: it accepts the mock's Microsoft Graph tokens (Azure AD Graph tokens
 * cannot be had any more), from the user themself (delegated) or a caller allowed to read
 * memberships (GroupMember.Read.All, Group.Read.All, Directory.Read.All, User.Read.All).
 * Microsoft advises clients to use Microsoft Graph's /users/{oid}/transitiveMemberOf instead.
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#groups-overage-claim
 */

const READERS = ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All', 'User.Read.All'];

interface OverageRoute {
  Params: { tenant: string; user: string };
}

export function registerOverageRoute(app: FastifyInstance, ctx: MockContext): void {
  // Every method: the action is POST only, and the others are refused in Azure AD Graph's shape.
  app.all<OverageRoute>('/:tenant/users/:user/getMemberObjects', async (request, reply) => {
    request.notes.endpoint = 'aad-graph.getMemberObjects';
    if (request.method !== 'POST') return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.methodNotAllowed);
    return getMemberObjects(ctx, request, reply);
  });
}

async function getMemberObjects(ctx: MockContext, request: FastifyRequest<OverageRoute>, reply: FastifyReply): Promise<FastifyReply> {
  const { tenant: segment, user: userRef } = request.params;
  const auth = verifyGraphCaller(ctx, request);
  if (!auth.ok) return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.noToken);
  const { caller } = auth;
  let tenantId: string | undefined;
  try {
    const seg = resolveTenantSegment(ctx.tenants, segment);
    tenantId = seg.kind === 'tenant' ? seg.tenant.id : undefined;
  } catch (e) {
    if (!isEntraError(e)) throw e;
  }
  if (tenantId !== caller.tenant.id) return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.noToken);
  const dir = caller.tenant.directory;
  const user = dir.users.get(userRef.toLowerCase()) ?? dir.usersByUpn.get(userRef.toLowerCase());
  if (!user) return sendAadGraphError(request, reply, aadGraphError(AAD_GRAPH_ERRORS.notFound, { id: userRef }));
  const self = caller.delegated && String(caller.claims.oid).toLowerCase() === user.id.toLowerCase();
  const allowed = self || READERS.some((p) => caller.scopes.has(p) || caller.roles.has(p));
  if (!allowed) return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.forbidden);
  const body = (request.body as { json?: { securityEnabledOnly?: unknown } } | undefined)?.json;
  if (!body || typeof body.securityEnabledOnly !== 'boolean') return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.invalidSecurityEnabledOnly);
  const ids = dir.transitiveGroupIds(user.id).filter((g) => {
    if (!body.securityEnabledOnly) return true;
    const group = dir.groups.get(g);
    return group?.securityEnabled ?? !(group?.groupTypes ?? []).includes('Unified');
  });
  return reply
    .header('content-type', 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8')
    .send(JSON.stringify({ 'odata.metadata': `${ctx.urls.aadGraph}/${caller.tenant.id}/$metadata#Collection(Edm.String)`, value: ids }));
}
