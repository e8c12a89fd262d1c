import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { MockContext } from './context.js';
import { AAD_GRAPH_ERRORS, sendAadGraphError } from './errors/aad-graph-error.js';
import { GRAPH_ERRORS, sendGraphError } from './errors/graph-error.js';
import { answerUnknownPath } from './surfaces/entra/unknown-path.js';
import type { HostRole } from './impersonation/clouds.js';
import { currentHost, noteScopeRequest } from './impersonation/request-urls.js';

/**
 * Routing by Host, impersonating: each Microsoft name serves its own surface only — Entra's
 * endpoints on login.microsoftonline.com (and its aliases), Graph on graph.microsoft.com, Azure
 * AD Graph on graph.windows.net — as Microsoft's hosts do. The test-control API and the console
 * (/_mock) are never served under a Microsoft name: a path of another surface is answered as the
 * host's own surface answers a path it does not know (Entra: docs/entra-wire.md §5.1's JSON for a
 * tenant path, its 404 page otherwise). The mock's own names keep every surface.
 */
export function hostGuard(ctx: MockContext): onRequestHookHandler {
  return (request, reply, done) => {
    const host = currentHost();
    if (!host) return done();
    noteScopeRequest(request);
    const surface = surfaceOfPath(request.url);
    if (surface === host.role) return done();
    refuse(ctx, host.role, request, reply);
  };
}

/** The surface a path belongs to, as the mock's routes are laid out (app.ts). */
export function surfaceOfPath(url: string): HostRole | 'control' {
  const path = (url.split('?')[0] ?? '').toLowerCase();
  if (path === '/_mock' || path.startsWith('/_mock/')) return 'control';
  if (path === '/v1.0' || path.startsWith('/v1.0/') || path === '/oidc/userinfo' || path.startsWith('/oidc/userinfo/')) return 'graph';
  if (/^\/[^/]+\/users\/[^/]+\/getmemberobjects\/?$/.test(path)) return 'aad-graph';
  return 'login';
}

function refuse(ctx: MockContext, role: HostRole, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (role === 'graph') return sendGraphError(request, reply, GRAPH_ERRORS.requestNotValid);
  if (role === 'aad-graph') return sendAadGraphError(request, reply, AAD_GRAPH_ERRORS.requestNotValid);
  return answerUnknownPath(ctx, request, reply);
}
