import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { SigningKey } from '../../keys/signing-keys.js';
import { METADATA_HEADERS, tenantOf } from './tenant-route.js';

/**
 * JWKS at /{tenant}/discovery/v2.0/keys and /{tenant}/discovery/keys (reference §2): kty, use,
 * kid = x5t, n, e, x5c, the templated issuer, no `alg`. A tenant's JWKS lists its active key and
 * any rotated-out key until it retires; common/organizations list every tenant's keys.
 */
export function registerJwksRoutes(app: FastifyInstance, ctx: MockContext): void {
  const serve = (version: 'v1' | 'v2') => async (request: FastifyRequest, reply: FastifyReply) => {
    const seg = tenantOf(ctx, request, `jwks.${version}`);
    let body: string;
    if (seg.kind === 'tenant') {
      // Retiring keys disappear by the tenant clock, so the cached document carries its expiry.
      const t = seg.tenant;
      const keys = t.publishedKeys(ctx.machineKey);
      const cacheKey = `jwks.${version}.${keys.map((k) => k.kid).join(',')}`;
      body = t.cache.get(cacheKey) ?? document(ctx, keys);
      t.cache.set(cacheKey, body);
    } else {
      const seen = new Map<string, SigningKey>();
      for (const t of ctx.tenants.all()) for (const k of t.publishedKeys(ctx.machineKey)) seen.set(k.kid, k);
      if (seen.size === 0) seen.set(ctx.machineKey.kid, ctx.machineKey);
      body = document(ctx, [...seen.values()]);
    }
    return reply.headers(METADATA_HEADERS).send(body);
  };
  app.get('/:tenant/discovery/v2.0/keys', serve('v2'));
  app.get('/:tenant/discovery/keys', serve('v1'));
}

function document(ctx: MockContext, keys: SigningKey[]): string {
  const issuer = `${ctx.urls.login}/{tenantid}/v2.0`;
  return JSON.stringify({ keys: keys.map((k) => ({ ...k.jwk, cloud_instance_name: 'microsoftonline.com', issuer })) });
}
