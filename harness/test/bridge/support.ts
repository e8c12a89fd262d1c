import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { CONTOSO, type MockEntraControl, type TenantFixture } from '../../../mock-idp/src/index.js';

/** The Contoso ids a copy replaces (Microsoft Graph's own ids stay). */
const CONTOSO_IDS = {
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
} as const;

export interface TenantCopy {
  tenantId: string;
  domain: string;
  ids: Record<keyof typeof CONTOSO_IDS, string>;
  fixture: TenantFixture;
  /** `${mockUrl}/${tenantId}/v2.0/.well-known/openid-configuration` */
  discoveryUrl: string;
  /** `AdeleV@<domain>` etc. */
  upn(user: 'AdeleV' | 'AlexW' | 'MeganB'): string;
}

/** A copy of Contoso under new ids and a new domain, for a test that mutates its tenant. */
export async function copyContoso(control: MockEntraControl, change?: (f: TenantFixture, ids: TenantCopy['ids']) => void): Promise<TenantCopy> {
  const { fixture } = await control.getTenant(CONTOSO.tenantId);
  const suffix = randomUUID().slice(0, 8);
  const domain = `bridge${suffix}.onmicrosoft.com`;
  const ids = Object.fromEntries(Object.keys(CONTOSO_IDS).map((k) => [k, randomUUID()])) as TenantCopy['ids'];
  let text = JSON.stringify(fixture);
  for (const [k, old] of Object.entries(CONTOSO_IDS)) text = text.replace(new RegExp(old, 'gi'), ids[k as keyof typeof CONTOSO_IDS]);
  text = text.replace(/contoso\.onmicrosoft\.com/gi, domain);
  const copy = JSON.parse(text) as TenantFixture;
  copy.displayName = `Contoso copy ${suffix}`;
  change?.(copy, ids);
  const info = await control.createTenant(copy);
  return { tenantId: ids.tenantId, domain, ids, fixture: copy, discoveryUrl: info.discoveryUrl, upn: (u) => `${u}@${domain}` };
}

/**
 * Signs in on the mock's page in `page`, which must already be on it (e.g. after
 * `page.goto(bridge.loginUrl)`): clicks the user's account button.
 */
export async function pickAccount(page: Page, upn: string): Promise<void> {
  await page.locator(`button[name=loginfmt][value="${upn}"]`).click();
}
