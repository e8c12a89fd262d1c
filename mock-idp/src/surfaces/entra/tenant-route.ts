import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { Params } from '../../protocol/params.js';
import { resolveTenantSegment, type TenantSegment } from '../../protocol/tenant-segment.js';

/** The route generic of every Entra route: its paths begin with `/{tenant}`. */
export interface TenantRoute {
  Params: { tenant: string };
}

/** Resolves `{tenant}` and attributes the request to that tenant for its request log. */
export function tenantOf(ctx: MockContext, request: FastifyRequest<TenantRoute>, endpoint: string): TenantSegment {
  request.notes.endpoint = endpoint;
  const resolved = resolveTenantSegment(ctx.tenants, request.params.tenant);
  if (resolved.kind === 'tenant') request.notes.tenant = resolved.tenant;
  return resolved;
}

/** The parameters of a page request (authorize, logout): the query string of a GET, the form body of a POST. */
export function pageParams(request: FastifyRequest): Params {
  if (request.method === 'POST') return request.body instanceof URLSearchParams ? Params.from(request.body) : Params.empty();
  const q = request.url.indexOf('?');
  return Params.from(new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1)));
}

/** Headers Entra sends on its public metadata documents (docs/entra-wire.md §1.1). */
export const METADATA_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'max-age=86400, private',
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'x-content-type-options': 'nosniff',
} as const;
