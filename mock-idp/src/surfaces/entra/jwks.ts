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
  const hung = new HungRequests();
  app.addHook('onClose', (_instance, done) => {
    hung.closeAll();
    done();
  });
  // Synchronous handlers (nothing to await): no promise per request; Fastify catches what they throw.
  const serve = (version: 'v1' | 'v2') => {
    const cacheKey = `jwks.${version}`;
    return (request: FastifyRequest<JwksRoute>, reply: FastifyReply): FastifyReply => {
      const seg = tenantOf(ctx, request, cacheKey);
      let body: Buffer | string;
      // A test's mutations and held-back or app-specific keys bypass the cached bytes (and never enter them).
      if (seg.kind === 'tenant' && (seg.tenant.mutations.size > 0 || typeof request.query.appid === 'string')) {
        const answered = mutatedJwks(ctx, seg.tenant, request, reply, hung);
        if (answered) return answered;
      }
      if (seg.kind === 'tenant') {
        // Serialized once per key set. Retiring keys disappear by the tenant clock, so the cached
        // document carries the time its key set next changes; rotations, resets and clock moves
        // clear the tenant's cache.
        const t = seg.tenant;
        // Keyed by issuer origin too: impersonating, it follows the cloud (impersonation/request-urls.ts).
        const cached = t.cache.get(cacheKey + ctx.urls.v2Issuer);
        const now = t.now();
        if (cached !== undefined && now < cached.until) body = cached.body;
        else {
          body = Buffer.from(document(ctx, t.publishedKeys(ctx.machineKey)));
          t.cache.set(cacheKey + ctx.urls.v2Issuer, { body, until: nextKeyChange(t, now) });
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
  app.get<JwksRoute>('/:tenant/discovery/v2.0/keys', serve('v2'));
  app.get<JwksRoute>('/:tenant/discovery/keys', serve('v1'));
}

interface JwksRoute extends TenantRoute {
  Querystring: { appid?: string | string[] };
}

/**
 * The JWKS as a test's mutations ("Broken on purpose", tokens/mutations.ts) and the key state
 * they left make it, or undefined when nothing changes it (the cached document then serves):
 * - `?appid=` of an app with its own key (`app-signing-key`): that key first, then the tenant's;
 *   the tenant's JWKS without `?appid=` never lists it (docs/entra-wire.md §1; access-tokens doc,
 *   "apps with a claims-mapping policy"). UNCONFIRMED whether Entra's `?appid=` JWKS also lists
 *   the tenant's keys: listed here, so the app's other tokens verify from the same document;
 * - a key rotated by `rotate-publish-after` is left out until its time (tenant clock);
 * - `several-keys` lists its decoys first; `server-error` answers a bare 5xx; `hang` never answers.
 */
function mutatedJwks(
  ctx: MockContext,
  t: TenantRuntime,
  request: FastifyRequest<JwksRoute>,
  reply: FastifyReply,
  hung: HungRequests,
): FastifyReply | undefined {
  const ms = t.mutations;
  const appid = request.query.appid;
  const appKey = typeof appid === 'string' ? ms.lasting('jwks', 'app-signing-key', appid)?.keys[0] : undefined;
  const taken = ms.size > 0 ? ms.take('jwks', undefined, (m) => m.kind === 'several-keys' || m.kind === 'server-error' || m.kind === 'hang') : undefined;
  if (!appKey && !taken && !ms.holdsKeys) return undefined;
  if (taken) ms.noteApplied(request.notes, undefined, taken.mutation);
  const m = taken?.mutation;
  // UNCONFIRMED what body Entra's front door sends with a 5xx: none here, so nothing parses as keys.
  if (m?.kind === 'server-error')
    return reply
      .code(m.status ?? 503)
      .header('cache-control', 'no-store')
      .send();
  if (m?.kind === 'hang') return hung.hold(t, request, reply, (m.seconds ?? 10) * 1000);
  const now = t.now();
  const keys = t.publishedKeys(ctx.machineKey).filter((k) => !ms.isHeld(k.kid, now));
  return reply.headers(METADATA_HEADERS).send(document(ctx, [...(taken?.keys ?? []), ...(appKey ? [appKey] : []), ...keys]));
}

/**
 * Requests a `hang` mutation holds: no answer, the connection kept open for the time asked (wall
 * clock: a test's frozen tenant clock must not hold it forever), then closed without a response.
 * The request log gets the entry Fastify's onResponse would have written (status 0: none was
 * sent). Closing the mock closes them all at once.
 */
class HungRequests {
  private readonly held = new Set<{ timer: NodeJS.Timeout; close: () => void }>();

  hold(t: TenantRuntime, request: FastifyRequest, reply: FastifyReply, ms: number): FastifyReply {
    reply.hijack();
    const started = Date.now();
    const entry = {
      timer: setTimeout(() => entry.close(), ms),
      close: () => {
        clearTimeout(entry.timer);
        this.held.delete(entry);
        reply.raw.destroy();
        t.log.record(t.now(), request.method, request.url, request.notes, 0, Date.now() - started);
      },
    };
    this.held.add(entry);
    return reply;
  }

  closeAll(): void {
    for (const e of [...this.held]) e.close();
  }
}

/** When the tenant's published key set changes next by its clock: the first retiring key to retire. */
function nextKeyChange(t: TenantRuntime, now: number): number {
  let until = t.keys.length > 0 && t.machineKeyPublishedUntil > now ? t.machineKeyPublishedUntil : Infinity;
  for (const k of t.keys.slice(1)) if (k.publishedUntil > now && k.publishedUntil < until) until = k.publishedUntil;
  return until;
}

function document(ctx: MockContext, keys: SigningKey[]): string {
  const issuer = `${ctx.urls.v2Issuer}/{tenantid}/v2.0`;
  return JSON.stringify({ keys: keys.map((k) => ({ ...k.jwk, cloud_instance_name: 'microsoftonline.com', issuer })) });
}
