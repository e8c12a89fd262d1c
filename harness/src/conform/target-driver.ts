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

/**
 * Whether an attached relying party may hold cached state a scenario left behind (keyed by target
 * file and tenant id): absent = unknown (a new run: a previous one may have ended on a poisoned
 * cache), `dirty` = the last scenario run against it needed a fresh RP and so changed what it
 * caches (discovery-issuer-mismatch leaves mod_auth_openidc holding a discovery document whose
 * issuer is `…/v2.01`; a rotation leaves another key set), `clean` = restarted since, or only
 * scenarios that change nothing it caches ran. Attached scenarios run one at a time (the conform
 * adapter's concurrency 1), so this order is the run's order.
 */
const attachedCache = new Map<string, 'clean' | 'dirty'>();

/** Whether the next attached scenario must restart the RP first: it needs a fresh one, or the state before it is not known to be clean. */
function needsRestart(key: string, freshRp: boolean): boolean {
  return freshRp || attachedCache.get(key) !== 'clean';
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
  const pending = new Map<string, { vars: TargetVariables; restart: boolean; fresh: boolean }>();
  const cacheKey = `${loaded.file}\0${target.attached?.tenantId.toLowerCase() ?? ''}`;
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
      const fresh = mode === 'attached' && verdict.applies && verdict.freshRp !== undefined;
      pending.set(info.id, {
        vars: { ...vars, MOCK_ENTRA_ISSUER: info.issuer },
        // With a hook, also after a freshRp scenario (and at a run's start): else the next scenarios meet its poisoned cache.
        restart: mode === 'attached' && target.attached?.restart !== undefined && needsRestart(cacheKey, fresh),
        fresh,
      });
      return { id: info.id, domain, displayName: fixture.displayName, authority: info.authority, discoveryUrl: info.discoveryUrl, issuer: info.issuer };
    },
    async start(tenant: ScenarioTenant): Promise<RpInstance> {
      const p = pending.get(tenant.id);
      if (!p) throw new Error(`no tenant ${tenant.id} was prepared for ${target.name}`);
      pending.delete(tenant.id);
      if (mode === 'managed') return startManaged(target, loaded.dir, p.vars);
      // A failed restart leaves the state unknown (so the next scenario restarts again).
      if (p.restart) attachedCache.delete(cacheKey);
      const instance = await useAttached(target, loaded.dir, p.vars, p.restart);
      if (target.attached?.restart) attachedCache.set(cacheKey, p.fresh ? 'dirty' : 'clean');
      return instance;
    },
  };
}
