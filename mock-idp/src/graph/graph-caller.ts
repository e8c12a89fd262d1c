import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../context.js';
import { GRAPH_APP_ID, GRAPH_RESOURCE_URI } from '../directory/microsoft-graph.js';
import { GRAPH_ERRORS, type GraphErrorSpec } from '../errors/graph-error.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { verifyIssuedToken, withinLifetime, type TokenProblem } from '../tokens/verify-token.js';

/**
 * Who calls Microsoft Graph: the bearer token checked as Graph checks it — a token this mock
 * issued (tokens/verify-token.ts, over the hashed header nonce as Graph tokens are signed) for
 * Graph's audience — and read into the caller's tenant, claims, scopes and roles. The request is
 * attributed to the token's tenant (`tid`) for its request log as soon as the token names one.
 *
 * Tokens already verified are remembered (per mock, at most 1,024), so a client paging through
 * thousands of requests with one token pays for the RSA signature once. A remembered token is
 * checked again for everything that can change while it is held: its tenant still exists (the
 * same one), its signing key is still published (rotation), and it is within its lifetime by the
 * tenant's clock (which a test may move).
 */

export interface GraphCaller {
  tenant: TenantRuntime;
  claims: Record<string, unknown>;
  /** A user token (scp) rather than an app-only one (roles, idtyp=app). */
  delegated: boolean;
  scopes: Set<string>;
  roles: Set<string>;
}

export type GraphCallerCheck = { ok: true; caller: GraphCaller } | { ok: false; error: GraphErrorSpec };

const GRAPH_AUDIENCES = new Set([GRAPH_APP_ID, GRAPH_RESOURCE_URI, `${GRAPH_RESOURCE_URI}/`]);
const GRAPH_TOKENS = { audience: (aud: string) => GRAPH_AUDIENCES.has(aud), nonceSigned: true };

/** Graph's answer to each problem a token can have (docs/entra-wire.md §7). */
const REFUSALS: Record<TokenProblem, GraphErrorSpec> = {
  malformed: GRAPH_ERRORS.malformedToken,
  invalid: GRAPH_ERRORS.invalidToken,
  audience: GRAPH_ERRORS.wrongAudience,
  lifetime: GRAPH_ERRORS.expiredToken,
};

interface Remembered {
  caller: GraphCaller;
  kid: string;
}

const MAX_REMEMBERED = 1024;
const remembered = new WeakMap<MockContext, Map<string, Remembered>>();

/** The caller of a Graph request, from its `Authorization: Bearer` header, or Graph's 401. */
export function verifyGraphCaller(ctx: MockContext, request: FastifyRequest): GraphCallerCheck {
  const authorization = request.headers.authorization;
  if (!authorization || !/^bearer\s+/i.test(authorization)) return { ok: false, error: GRAPH_ERRORS.noToken };
  const token = authorization.replace(/^bearer\s+/i, '').trim();
  if (token === '') return { ok: false, error: GRAPH_ERRORS.noToken };

  let cache = remembered.get(ctx);
  if (!cache) remembered.set(ctx, (cache = new Map()));
  const hit = cache.get(authorization);
  if (hit) {
    const tenant = ctx.tenants.get(hit.caller.tenant.id);
    if (tenant === hit.caller.tenant && withinLifetime(tenant, hit.caller.claims) && tenant.publishedKeys(ctx.machineKey).some((k) => k.kid === hit.kid)) {
      request.notes.tenant = tenant;
      return { ok: true, caller: hit.caller };
    }
    cache.delete(authorization);
  }

  const verdict = verifyIssuedToken(ctx, token, GRAPH_TOKENS);
  if (!verdict.ok) {
    if (verdict.tenant) request.notes.tenant = verdict.tenant;
    return { ok: false, error: REFUSALS[verdict.problem] };
  }
  const { tenant, claims, kid } = verdict.token;
  request.notes.tenant = tenant;
  const scp = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  const caller: GraphCaller = {
    tenant,
    claims,
    delegated: claims.idtyp !== 'app' && typeof claims.scp === 'string',
    scopes: new Set(scp),
    roles: new Set(roles),
  };
  cache.set(authorization, { caller, kid });
  if (cache.size > MAX_REMEMBERED) cache.delete(cache.keys().next().value!);
  return { ok: true, caller };
}
