import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { resolveTenantSegment, type TenantSegment } from '../../protocol/tenant-segment.js';

/** Resolves `{tenant}` and attributes the request to that tenant for its request log. */
export function tenantOf(ctx: MockContext, request: FastifyRequest, endpoint: string): TenantSegment {
  request.notes.endpoint = endpoint;
  const segment = (request.params as { tenant: string }).tenant;
  const resolved = resolveTenantSegment(ctx.tenants, segment);
  if (resolved.kind === 'tenant') request.notes.tenant = resolved.tenant;
  return resolved;
}

/** Headers Entra sends on its public metadata documents (docs/entra-wire.md §1.1). */
export const METADATA_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'max-age=86400, private',
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'x-content-type-options': 'nosniff',
} as const;
