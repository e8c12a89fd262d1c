import { randomBytes, randomUUID } from 'node:crypto';
import { CONTOSO, DEFAULT_FIXTURE_PATH, type MockEntraControl, type TenantFixture, type TenantSource } from '../../mock-idp/src/index.js';
import { loadFixtureFile } from '../../mock-idp/src/fixtures.js';
import { localizeValue } from './localize.js';
import type { TenantSpec } from './scenario.js';
import type { ScenarioTenant } from './scenario-tenant.js';

export type { ScenarioTenant } from './scenario-tenant.js';

/**
 * Every scenario run gets a tenant of its own: a copy of its base fixture under a fresh tenant
 * GUID and verified domain, created through the test-control API and deleted afterwards. The
 * mock scopes everything per tenant (directory, clock, keys, request log, Graph faults), so runs
 * proceed side by side without seeing each other. Application, user and group ids stay as they
 * are — they are per tenant in Entra too — so scenarios can use the default tenant's ids.
 */

let contoso: Promise<TenantFixture> | undefined;

/** The shipped default tenant (fixtures/contoso.yaml), read once per process. */
export function contosoFixture(): Promise<TenantFixture> {
  contoso ??= loadFixtureFile(DEFAULT_FIXTURE_PATH).then((doc) => {
    const t = doc.tenants.find((x) => x.id === CONTOSO.tenantId) ?? doc.tenants[0];
    if (!t) throw new Error(`${DEFAULT_FIXTURE_PATH} has no tenant`);
    return t;
  });
  return contoso.then((t) => structuredClone(t));
}

/** A DNS label from a scenario id: lowercase letters, digits and hyphens, at most 40 characters. */
function label(id: string): string {
  return (
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'scenario'
  ).slice(0, 40);
}

/** The fixture a scenario's tenant is created from (not yet created). */
export async function scenarioFixture(spec: TenantSpec, scenarioId: string): Promise<TenantFixture> {
  const base = spec.base === undefined || spec.base === 'contoso' ? await contosoFixture() : structuredClone(spec.base);
  const id = randomUUID();
  const domain = `${label(scenarioId)}-${randomBytes(3).toString('hex')}.onmicrosoft.com`;
  const baseDomain = base.verifiedDomains[0] ?? CONTOSO.domain;
  // Rewrite the base's own tenant id and domain everywhere (UPNs, URIs), then Contoso's, in case a
  // custom base copied them.
  let text = JSON.stringify(base);
  text = text.replace(new RegExp(escapeRegExp(base.id), 'gi'), id).replace(new RegExp(escapeRegExp(baseDomain), 'gi'), domain);
  const fixture = localizeValue(JSON.parse(text), { id, domain }) as TenantFixture;
  fixture.displayName = `${base.displayName} (scenario ${scenarioId})`;
  // The mock expands `generate` when it creates the tenant (control API → resolveFixture).
  if (spec.generate) (fixture as TenantSource).generate = structuredClone(spec.generate);
  spec.mutate?.(fixture);
  return fixture;
}

/** Creates the scenario's tenant (and applies its patch). Delete it with `control.deleteTenant(id)`. */
export async function createScenarioTenant(control: MockEntraControl, spec: TenantSpec, scenarioId: string): Promise<ScenarioTenant> {
  const fixture = await scenarioFixture(spec, scenarioId);
  const info = await control.createTenant(fixture);
  const domain = fixture.verifiedDomains[0]!;
  if (spec.patch && spec.patch.length > 0) {
    try {
      await control.patchFixture(info.id, localizeValue(spec.patch, { id: info.id, domain }) as typeof spec.patch);
    } catch (e) {
      await control.deleteTenant(info.id).catch(() => undefined);
      throw new Error(`the scenario's tenant patch was refused: ${(e as Error).message}`, { cause: e });
    }
  }
  return { id: info.id, domain, displayName: fixture.displayName, authority: info.authority, discoveryUrl: info.discoveryUrl, issuer: info.issuer };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
