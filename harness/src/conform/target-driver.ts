import { randomBytes, randomUUID } from 'node:crypto';
import type { MockEntraControl, TenantFixture } from '../../../mock-idp/src/index.js';
import type { HarnessEnvironment } from '../environment.js';
import { localizeValue } from '../localize.js';
import type { TargetDriver } from '../runner.js';
import type { Scenario } from '../scenario.js';
import { scenarioFixture, type ScenarioTenant } from '../tenant.js';
import { applicability } from './applicability.js';
import { freePort, makeRunDir, startManaged, useAttached, type RpInstance, type TargetMode } from './rp-instance.js';
import type { LoadedTarget } from './target-file.js';
import { substituteDeep, type TargetVariables } from './variables.js';

/**
 * Runs scenarios against one target. Managed: a tenant per scenario as for the bridge (a copy of
 * Contoso under a fresh id and domain), the app started for it on a free port with that tenant's
 * variables. Attached: the tenant the app was configured with — its id and domain — deleted and
 * created again before every scenario (Contoso's directory, the target's app, the scenario's
 * tenant spec), so each scenario starts from the same state.
 *
 * The target's app registration goes first in the tenant's applications, in the bridge's place:
 * a scenario's tenant patch written for the bridge's registration (`/applications/0/…`) then
 * changes the target's.
 */

function label(id: string): string {
  return (
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'scenario'
  ).slice(0, 30);
}

/** The app's first secret that has not expired (MOCK_ENTRA_CLIENT_SECRET). */
function currentSecret(t: LoadedTarget['target'], now = Date.now()): string {
  const c = (t.app.passwordCredentials ?? []).find((p) => !p.endDateTime || Date.parse(p.endDateTime) > now);
  return c?.secretText ?? '';
}

/** The same fixture under another tenant id and domain (every mention rewritten, as scenarioFixture does). */
function rekey(fixture: TenantFixture, id: string, domain: string): TenantFixture {
  const oldDomain = fixture.verifiedDomains[0] ?? '';
  const text = JSON.stringify(fixture).split(fixture.id).join(id).split(oldDomain).join(domain);
  return JSON.parse(text) as TenantFixture;
}

export function targetDriver(loaded: LoadedTarget, mode: TargetMode, env: HarnessEnvironment): TargetDriver {
  const { target } = loaded;
  const pending = new Map<string, { vars: TargetVariables; restart: boolean }>();
  const control: MockEntraControl = env.control;
  return {
    describe: () => ({ name: target.name, ...(target.library ? { library: target.library } : {}), mode }),
    async createTenant(scenario: Scenario & { id: string }): Promise<ScenarioTenant> {
      const attached = mode === 'attached' ? target.attached : undefined;
      if (mode === 'attached' && !attached) throw new Error(`target ${target.name} has no \`attached\` section`);
      const id = attached ? attached.tenantId.toLowerCase() : randomUUID();
      const domain = attached
        ? (attached.domain ?? `${target.name}.onmicrosoft.com`).toLowerCase()
        : `${label(scenario.id)}-${randomBytes(3).toString('hex')}.onmicrosoft.com`;
      const authority = `${env.idpUrl}/${id}`;
      const run = makeRunDir(env.caPem);
      const port = attached ? Number(new URL(attached.url).port || (attached.url.startsWith('https:') ? 443 : 80)) : await freePort();
      const base: Omit<TargetVariables, 'TARGET_URL'> = {
        MOCK_ENTRA_URL: env.idpUrl,
        MOCK_ENTRA_TENANT_ID: id,
        MOCK_ENTRA_DOMAIN: domain,
        MOCK_ENTRA_AUTHORITY: `${authority}/v2.0`,
        MOCK_ENTRA_DISCOVERY_URL: `${authority}/v2.0/.well-known/openid-configuration`,
        MOCK_ENTRA_ISSUER: `${authority}/v2.0`,
        MOCK_ENTRA_CLIENT_ID: target.app.appId,
        MOCK_ENTRA_CLIENT_SECRET: currentSecret(target),
        MOCK_ENTRA_CA_FILE: run.caFile,
        PORT: String(port),
        TARGET_DIR: loaded.dir,
        RUN_DIR: run.dir,
      };
      const targetUrl = attached ? attached.url : substituteDeep(target.managed?.url ?? 'http://localhost:${PORT}', base);
      const vars: TargetVariables = { ...base, TARGET_URL: targetUrl.replace(/\/$/, '') };

      const fixture = rekey(await scenarioFixture(scenario.tenant, scenario.id), id, domain);
      const app = substituteDeep(target.app, vars);
      fixture.applications = [app, ...(fixture.applications ?? []).filter((a) => a.appId.toLowerCase() !== app.appId.toLowerCase())];
      if (attached) fixture.displayName = `${target.name} (conformance, scenario ${scenario.id})`;
      if (attached) await control.deleteTenant(id).catch(() => undefined);
      const info = await control.createTenant(fixture);
      if (scenario.tenant.patch?.length) {
        try {
          await control.patchFixture(info.id, localizeValue(scenario.tenant.patch, { id, domain }) as typeof scenario.tenant.patch);
        } catch (e) {
          await control.deleteTenant(info.id).catch(() => undefined);
          throw new Error(`the scenario's tenant patch was refused: ${(e as Error).message}`, { cause: e });
        }
      }
      const verdict = applicability(scenario, target, mode);
      pending.set(info.id, {
        vars: { ...vars, MOCK_ENTRA_ISSUER: info.issuer },
        restart: mode === 'attached' && verdict.applies && verdict.freshRp !== undefined,
      });
      return { id: info.id, domain, displayName: fixture.displayName, authority: info.authority, discoveryUrl: info.discoveryUrl, issuer: info.issuer };
    },
    async start(tenant: ScenarioTenant): Promise<RpInstance> {
      const p = pending.get(tenant.id);
      if (!p) throw new Error(`no tenant ${tenant.id} was prepared for ${target.name}`);
      pending.delete(tenant.id);
      return mode === 'managed' ? startManaged(target, loaded.dir, p.vars) : useAttached(target, loaded.dir, p.vars, p.restart);
    },
  };
}
