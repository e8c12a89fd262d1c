import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../context.js';
import { authenticateGraphCall, type GraphAuthResult, type GraphCaller } from '../surfaces/graph/graph-token.js';

/**
 * Graph's token check (surfaces/graph/graph-token.ts) with a small cache of tokens already
 * verified, so a client paging through thousands of requests with one token pays for the RSA
 * signature once. A cached token is checked again for everything that can change while it is
 * held: its tenant still exists (the same one), its signing key is still published (rotation),
 * and it is within its lifetime by the tenant's clock (which a test may move).
 */
interface Verified {
  caller: GraphCaller;
  kid: string;
  exp: number;
  nbf: number;
}

const MAX_ENTRIES = 1024;
const caches = new WeakMap<MockContext, Map<string, Verified>>();

export function authenticate(ctx: MockContext, request: FastifyRequest): GraphAuthResult {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new Map();
    caches.set(ctx, cache);
  }
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const hit = cache.get(header);
    if (hit) {
      const tenant = ctx.tenants.get(hit.caller.tenant.id);
      const now = tenant?.clock.nowSeconds() ?? 0;
      if (tenant === hit.caller.tenant && hit.exp > now && hit.nbf <= now && tenant.publishedKeys(ctx.machineKey).some((k) => k.kid === hit.kid)) {
        request.notes.tenant = tenant;
        return { ok: true, caller: hit.caller };
      }
      cache.delete(header);
    }
  }
  const result = authenticateGraphCall(ctx, request);
  if (result.ok && typeof header === 'string') {
    const { claims } = result.caller;
    const kid = kidOf(header);
    if (kid && typeof claims.exp === 'number' && typeof claims.nbf === 'number') {
      cache.set(header, { caller: result.caller, kid, exp: claims.exp, nbf: claims.nbf });
      if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    }
  }
  return result;
}

function kidOf(authorization: string): string | undefined {
  try {
    const token = authorization.replace(/^bearer\s+/i, '').trim();
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}
