import { createPublicKey, verify } from 'node:crypto';
import type { MockContext } from '../context.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { v1Issuer, v2Issuer } from '../runtime/urls.js';
import { graphNonceDigest } from './issue.js';
import { decodeJwt } from './jwt.js';

/**
 * Verifies a token this mock issued, the way a resource that trusts Entra does
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens): a JWT whose
 * `tid` names a tenant of the mock, signed by one of the keys that tenant publishes now (its
 * discovery keys, rotation included), issued by that tenant's v1 or v2 issuer, for the audience
 * the resource answers to, within its lifetime by the tenant's clock (which a test may move).
 * Not Graph-specific: Microsoft Graph checks its tokens with it (graph/graph-caller.ts), and a
 * web API of the tenant (on-behalf-of) can check the tokens sent to it the same way.
 *
 * The checks run in a fixed order and the first failure is the answer, so a caller can map each
 * problem to its own wording: the token is not a JWT (`malformed`); its tenant, key, signature or
 * issuer is wrong (`invalid`); it is for another resource (`audience`); it has expired or is not
 * valid yet (`lifetime`).
 */

export interface TokenExpectations {
  /** Whether `aud` names the resource that verifies (Graph: its app id or its URI). */
  audience: (aud: string) => boolean;
  /**
   * Graph's scheme (tokens/issue.ts): the header carries a `nonce` and the signature covers the
   * header with the nonce's SHA-256 instead, so only the mock's Graph can check it. When true, a
   * token without a nonce is invalid; when false, the header is verified as it stands.
   */
  nonceSigned: boolean;
}

export interface VerifiedToken {
  tenant: TenantRuntime;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** The signing key's id, to notice when the tenant stops publishing it. */
  kid: string;
}

export type TokenProblem = 'malformed' | 'invalid' | 'audience' | 'lifetime';

export type TokenVerdict =
  | { ok: true; token: VerifiedToken }
  /** `tenant`: the token's tenant, once its `tid` named one (so the request is attributed to it). */
  | { ok: false; problem: TokenProblem; tenant?: TenantRuntime };

export function verifyIssuedToken(ctx: MockContext, token: string, expect: TokenExpectations): TokenVerdict {
  const jwt = decodeJwt(token);
  if (!jwt) return { ok: false, problem: 'malformed' };
  const { header, payload } = jwt;
  const tenant = typeof payload.tid === 'string' ? ctx.tenants.get(payload.tid) : undefined;
  if (!tenant) return { ok: false, problem: 'invalid' };
  const refuse = (problem: TokenProblem): TokenVerdict => ({ ok: false, problem, tenant });
  if (typeof header.kid !== 'string' || (expect.nonceSigned && typeof header.nonce !== 'string')) return refuse('invalid');
  const kid = header.kid;
  const key = tenant.publishedKeys(ctx.machineKey).find((k) => k.kid === kid);
  if (!key) return refuse('invalid');
  const signedHeader =
    expect.nonceSigned && typeof header.nonce === 'string'
      ? Buffer.from(JSON.stringify({ ...header, nonce: graphNonceDigest(header.nonce) })).toString('base64url')
      : jwt.signingInput.split('.')[0]!;
  const signingInput = `${signedHeader}.${jwt.signingInput.split('.')[1]}`;
  const publicKey = createPublicKey({ key: key.jwk, format: 'jwk' });
  if (!verify('sha256', Buffer.from(signingInput), publicKey, jwt.signature)) return refuse('invalid');
  if (payload.iss !== v1Issuer(ctx.urls, tenant.id) && payload.iss !== v2Issuer(ctx.urls, tenant.id)) return refuse('invalid');
  if (typeof payload.aud !== 'string' || !expect.audience(payload.aud)) return refuse('audience');
  if (!withinLifetime(tenant, payload)) return refuse('lifetime');
  return { ok: true, token: { tenant, header, claims: payload, kid } };
}

/** `nbf <= now < exp` by the tenant's clock; both claims required. */
export function withinLifetime(tenant: TenantRuntime, claims: Record<string, unknown>): boolean {
  const now = tenant.clock.nowSeconds();
  return typeof claims.exp === 'number' && typeof claims.nbf === 'number' && claims.exp > now && claims.nbf <= now;
}
