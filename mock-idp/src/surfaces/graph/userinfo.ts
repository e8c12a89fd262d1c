import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { GRAPH_ERRORS, requestIds, sendGraphError } from '../../errors/graph-error.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { otherSubject } from '../../tokens/mutations.js';
import { pairwiseSubject } from '../../tokens/subject.js';
import { verifyGraphCaller } from '../../graph/graph-caller.js';

/**
 * OIDC UserInfo, hosted by Microsoft Graph: a Graph-audience delegated token with `openid`;
 * names need `profile`, the email needs `email`; `sub` is the ID token's pairwise subject.
 * https://learn.microsoft.com/entra/identity-platform/userinfo
 * Registered under /oidc/userinfo (surfaces/graph/index.ts), which answers its other methods.
 */
export function registerUserinfoRoutes(app: FastifyInstance, ctx: MockContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    request.notes.endpoint = 'graph.userinfo';
    const auth = verifyGraphCaller(ctx, request);
    if (!auth.ok) return sendGraphError(request, reply, auth.error);
    const { caller } = auth;
    if (!caller.delegated || !caller.scopes.has('openid')) return sendGraphError(request, reply, GRAPH_ERRORS.forbidden, caller.tenant.now());
    const user = caller.tenant.directory.users.get(String(caller.claims.oid).toLowerCase());
    if (!user) return sendGraphError(request, reply, GRAPH_ERRORS.invalidToken, caller.tenant.now());
    const clientId = String(caller.claims.appid ?? caller.claims.azp);
    const body: Record<string, unknown> = { sub: pairwiseSubject(caller.tenant.id, clientId, user.id) };
    if (caller.scopes.has('profile')) {
      body.name = user.displayName;
      if (user.surname) body.family_name = user.surname;
      if (user.givenName) body.given_name = user.givenName;
      body.picture = `${ctx.urls.graph}/v1.0/me/photo/$value`;
    }
    if (caller.scopes.has('email') && user.mail) body.email = user.mail;
    if (caller.tenant.mutations.size > 0) mutateUserinfo(caller.tenant, request, clientId, body);
    const ids = requestIds(request);
    return reply
      .headers({ 'content-type': 'application/json; charset=utf-8', 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId })
      .send(JSON.stringify(body));
  };
  app.get('/', handler);
  app.post('/', handler);
}

/** A test's userinfo mutation ("Broken on purpose", tokens/mutations.ts): another `sub`, or none. */
function mutateUserinfo(t: TenantRuntime, request: FastifyRequest, clientId: string, body: Record<string, unknown>): void {
  const taken = t.mutations.take('userinfo', clientId, () => true);
  if (!taken) return;
  const m = taken.mutation;
  if (m.kind === 'sub-removed') delete body.sub;
  else body.sub = m.value ?? otherSubject(t.id, clientId);
  t.mutations.noteApplied(request.notes, clientId, m);
}
