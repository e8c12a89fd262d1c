import { createHash } from 'node:crypto';

/**
 * Entra's `sub` is pairwise: the same user has a different subject in each application. It is a
 * 43-character base64url value; ours is a hash of tenant, application and user, so it is the
 * same on every machine and across restarts.
 * https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference
 */
export function pairwiseSubject(tenantId: string, appId: string, objectId: string): string {
  return createHash('sha256').update(`${tenantId.toLowerCase()}|${appId.toLowerCase()}|${objectId.toLowerCase()}`).digest('base64url');
}

/** MSAL's client_info: base64url of {"uid": oid, "utid": tid}. */
export function clientInfo(oid: string, tid: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tid })).toString('base64url');
}

/** at_hash / c_hash (OIDC core 3.3.2.11): left half of SHA-256 of the value, base64url. */
export function halfHash(value: string): string {
  return createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');
}
