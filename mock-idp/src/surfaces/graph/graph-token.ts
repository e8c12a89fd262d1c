import { verify } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { GRAPH_APP_ID, GRAPH_RESOURCE_URI } from '../../directory/microsoft-graph.js';
import { GRAPH_ERRORS, type GraphErrorSpec } from '../../errors/graph-error.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { v1Issuer, v2Issuer } from '../../runtime/urls.js';
import { graphNonceDigest } from '../../tokens/issue.js';
import { decodeJwt } from '../../tokens/jwt.js';
import { createPublicKey } from 'node:crypto';

/**
 * How Microsoft Graph checks a bearer token: a JWT signed by the tenant's keys (over the hashed
 * header nonce, as Graph tokens are), for Graph's audience, within its lifetime by the tenant
 * clock. The request is attributed to the token's tenant (`tid`) for its request log.
 */
export interface GraphCaller {
  tenant: TenantRuntime;
  claims: Record<string, unknown>;
  /** A user token (scp) rather than an app-only one (roles, idtyp=app). */
  delegated: boolean;
  scopes: Set<string>;
  roles: Set<string>;
}

export type GraphAuthResult = { ok: true; caller: GraphCaller } | { ok: false; error: GraphErrorSpec };

const GRAPH_AUDIENCES = new Set([GRAPH_APP_ID, GRAPH_RESOURCE_URI, `${GRAPH_RESOURCE_URI}/`]);

export function authenticateGraphCall(ctx: MockContext, request: FastifyRequest): GraphAuthResult {
  const auth = request.headers.authorization;
  if (!auth || !/^bearer\s+/i.test(auth) || auth.replace(/^bearer\s+/i, '').trim() === '') return { ok: false, error: GRAPH_ERRORS.noToken };
  const token = auth.replace(/^bearer\s+/i, '').trim();
  const jwt = decodeJwt(token);
  if (!jwt) return { ok: false, error: GRAPH_ERRORS.malformedToken };
  const { header, payload } = jwt;
  const tenant = typeof payload.tid === 'string' ? ctx.tenants.get(payload.tid) : undefined;
  if (!tenant) return { ok: false, error: GRAPH_ERRORS.invalidToken };
  request.notes.tenant = tenant;
  if (typeof header.nonce !== 'string' || typeof header.kid !== 'string') return { ok: false, error: GRAPH_ERRORS.invalidToken };
  const key = tenant.publishedKeys(ctx.machineKey).find((k) => k.kid === header.kid);
  if (!key) return { ok: false, error: GRAPH_ERRORS.invalidToken };
  const signedHeader = Buffer.from(JSON.stringify({ ...header, nonce: graphNonceDigest(header.nonce) })).toString('base64url');
  const signingInput = `${signedHeader}.${jwt.signingInput.split('.')[1]}`;
  const publicKey = createPublicKey({ key: key.jwk, format: 'jwk' });
  if (!verify('sha256', Buffer.from(signingInput), publicKey, jwt.signature)) return { ok: false, error: GRAPH_ERRORS.invalidToken };
  if (payload.iss !== v1Issuer(ctx.urls, tenant.id) && payload.iss !== v2Issuer(ctx.urls, tenant.id)) return { ok: false, error: GRAPH_ERRORS.invalidToken };
  if (typeof payload.aud !== 'string' || !GRAPH_AUDIENCES.has(payload.aud)) return { ok: false, error: GRAPH_ERRORS.wrongAudience };
  const now = tenant.clock.nowSeconds();
  if (typeof payload.exp !== 'number' || typeof payload.nbf !== 'number' || payload.exp <= now || payload.nbf > now) {
    return { ok: false, error: GRAPH_ERRORS.expiredToken };
  }
  const scp = typeof payload.scp === 'string' ? payload.scp.split(' ').filter(Boolean) : [];
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    ok: true,
    caller: { tenant, claims: payload, delegated: payload.idtyp !== 'app' && typeof payload.scp === 'string', scopes: new Set(scp), roles: new Set(roles) },
  };
}
