import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { SigningKey } from '../../keys/signing-keys.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { METADATA_HEADERS, tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * JWKS at /{tenant}/discovery/v2.0/keys and /{tenant}/discovery/keys (docs/entra-wire.md §2): kty, use,
 * kid = x5t, n, e, x5c, the templated issuer, no `alg`. A tenant's JWKS lists its active key and
 * any rotated-out key until it retires; common/organizations list every tenant's keys.
 */
export function registerJwksRoutes(app: FastifyInstance, ctx: MockContext): void {
  // Synchronous handlers (nothing to await): no promise per request; Fastify catches what they throw.
  const serve = (version: 'v1' | 'v2') => {
    const cacheKey = `jwks.${version}`;
    return (request: FastifyRequest<TenantRoute>, reply: FastifyReply): FastifyReply => {
      const seg = tenantOf(ctx, request, cacheKey);
      let body: Buffer | string;
      if (seg.kind === 'tenant') {
        // Serialized once per key set. Retiring keys disappear by the tenant clock, so the cached
        // document carries the time its key set next changes; rotations, resets and clock moves
        // clear the tenant's cache.
        const t = seg.tenant;
        const cached = t.cache.get(cacheKey);
        const now = t.now();
        if (cached !== undefined && now < cached.until) body = cached.body;
        else {
          body = Buffer.from(document(ctx, t.publishedKeys(ctx.machineKey)));
          t.cache.set(cacheKey, { body, until: nextKeyChange(t, now) });
        }
      } else {
        const seen = new Map<string, SigningKey>();
        for (const t of ctx.tenants.all()) for (const k of t.publishedKeys(ctx.machineKey)) seen.set(k.kid, k);
        if (seen.size === 0) seen.set(ctx.machineKey.kid, ctx.machineKey);
        body = document(ctx, [...seen.values()]);
      }
      return reply.headers(METADATA_HEADERS).send(body);
    };
  };
  app.get<TenantRoute>('/:tenant/discovery/v2.0/keys', serve('v2'));
  app.get<TenantRoute>('/:tenant/discovery/keys', serve('v1'));
}

/** When the tenant's published key set changes next by its clock: the first retiring key to retire. */
function nextKeyChange(t: TenantRuntime, now: number): number {
  let until = t.keys.length > 0 && t.machineKeyPublishedUntil > now ? t.machineKeyPublishedUntil : Infinity;
  for (const k of t.keys.slice(1)) if (k.publishedUntil > now && k.publishedUntil < until) until = k.publishedUntil;
  return until;
}

function document(ctx: MockContext, keys: SigningKey[]): string {
  const issuer = `${ctx.urls.login}/{tenantid}/v2.0`;
  return JSON.stringify({ keys: keys.map((k) => ({ ...k.jwk, cloud_instance_name: 'microsoftonline.com', issuer })) });
}
