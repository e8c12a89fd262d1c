import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { MockEntraControl } from '../../src/control-client.js';
import type { TenantFixture } from '../../src/directory/model.js';
import { CONTOSO } from '../../src/contoso.js';

/**
 * Shared helpers of the real-client suite (test/real-clients): trusting the mock's local CA
 * from Node, and cloning the default tenant for tests that mutate a tenant.
 *
 * Trust: Node 20 reads NODE_EXTRA_CA_CERTS only at process start and its global fetch takes no
 * `ca` option (no `dispatcher` without the `undici` package). Every real client, though, lets
 * the application bring its own HTTP: openid-client and jose take a fetch (`customFetch`
 * symbol), MSAL Node a `system.networkClient`. So the one place where the CA is trusted is a
 * fetch built on node:https with `ca` — TLS is verified, against the mock's CA only.
 */

export { trustingFetch, type FetchLike, type FetchInit } from '../../src/testing.js';

/** The registered redirect URI's path for the bridge app; Entra ignores http://localhost ports. */
export const BRIDGE_CALLBACK_PATH = new URL(CONTOSO.bridge.redirectUri).pathname;
export const SPA_CALLBACK_PATH = new URL(CONTOSO.openMetadataUi.redirectUri).pathname;

/** base64url SHA-1 of the certificate's DER: the `x5t` Entra wants in client assertions. */
export function x5tOf(certPem: string): string {
  return createHash('sha1').update(new X509Certificate(certPem).raw).digest('base64url');
}

export interface ClonedTenant {
  fixture: TenantFixture;
  tenantId: string;
  domain: string;
  /** Old id → new id, for every id that was replaced. */
  ids: Record<keyof typeof CLONED_IDS, string>;
}

/** The Contoso ids a clone replaces (Microsoft Graph's own ids stay). */
const CLONED_IDS = {
  tenantId: CONTOSO.tenantId,
  bridge: CONTOSO.bridge.appId,
  openMetadataUi: CONTOSO.openMetadataUi.appId,
  ingestion: CONTOSO.ingestion.appId,
  adele: CONTOSO.users.adele.id,
  alex: CONTOSO.users.alex.id,
  megan: CONTOSO.users.megan.id,
  engineering: CONTOSO.groups.engineering,
  dataStewards: CONTOSO.groups.dataStewards,
  allCompany: CONTOSO.groups.allCompany,
  bridgeSecret: CONTOSO.bridge.secretKeyId,
  bridgeExpiredSecret: CONTOSO.bridge.expiredSecretKeyId,
  ingestionSecret: CONTOSO.ingestion.secretKeyId,
} as const;

/**
 * A copy of the default tenant under new ids and a new verified domain, so a test can mutate
 * it (rotate keys, add certificates) without touching Contoso, which other tests share.
 */
export async function cloneContoso(control: MockEntraControl, change?: (f: TenantFixture, ids: ClonedTenant['ids']) => void): Promise<ClonedTenant> {
  const { fixture } = await control.getTenant(CONTOSO.tenantId);
  const suffix = randomUUID().slice(0, 8);
  const domain = `rc${suffix}.onmicrosoft.com`;
  const ids = Object.fromEntries(Object.keys(CLONED_IDS).map((k) => [k, randomUUID()])) as ClonedTenant['ids'];
  let text = JSON.stringify(fixture);
  for (const [k, old] of Object.entries(CLONED_IDS)) text = text.replace(new RegExp(old, 'gi'), ids[k as keyof typeof CLONED_IDS]);
  text = text.replace(/contoso\.onmicrosoft\.com/gi, domain);
  const clone = JSON.parse(text) as TenantFixture;
  clone.displayName = `Contoso clone ${suffix}`;
  change?.(clone, ids);
  await control.createTenant(clone);
  return { fixture: clone, tenantId: ids.tenantId, domain, ids };
}

/** Decodes a JWT's header or payload without verifying it (for assertions on exact claims). */
export function decodeJwtPart(jwt: string, part: 0 | 1): Record<string, unknown> {
  const segment = jwt.split('.')[part];
  if (segment === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}
