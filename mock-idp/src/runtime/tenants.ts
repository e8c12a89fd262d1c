import type { TenantFixture } from '../directory/model.js';
import { BOOT_INCARNATION, TenantRuntime } from './tenant-runtime.js';

/** All tenants of a running mock, found by GUID or verified domain. */
export class Tenants {
  private readonly byId = new Map<string, TenantRuntime>();
  private readonly byDomain = new Map<string, TenantRuntime>();
  /** Bumped whenever a tenant is added or removed or its domains change (resolutions cached elsewhere depend on it). */
  version = 0;

  constructor(fixtures: TenantFixture[]) {
    for (const f of fixtures) this.add(f, BOOT_INCARNATION);
  }

  /** A tenant created while the mock runs gets a new incarnation (tenant-runtime.ts). */
  add(fixture: TenantFixture, incarnation?: string): TenantRuntime {
    const t = new TenantRuntime(fixture, incarnation);
    this.byId.set(t.id, t);
    this.indexDomains(t);
    return t;
  }

  private indexDomains(t: TenantRuntime): void {
    this.version++;
    for (const [d, owner] of this.byDomain) if (owner === t) this.byDomain.delete(d);
    for (const d of t.directory.domains) this.byDomain.set(d, t);
  }

  /** After a fixture replacement the verified domains may have changed. */
  reindex(t: TenantRuntime): void {
    this.indexDomains(t);
  }

  remove(id: string): boolean {
    const t = this.byId.get(id.toLowerCase());
    if (!t) return false;
    this.byId.delete(t.id);
    for (const [d, owner] of this.byDomain) if (owner === t) this.byDomain.delete(d);
    this.version++;
    return true;
  }

  get(id: string): TenantRuntime | undefined {
    return this.byId.get(id.toLowerCase());
  }

  byDomainName(domain: string): TenantRuntime | undefined {
    return this.byDomain.get(domain.toLowerCase());
  }

  all(): TenantRuntime[] {
    return [...this.byId.values()];
  }

  /** The tenant that registered this application (for /common and /organizations). */
  homeOfApp(appId: string): TenantRuntime | undefined {
    const key = appId.toLowerCase();
    for (const t of this.byId.values()) if (t.directory.fixture.applications?.some((a) => a.appId.toLowerCase() === key)) return t;
    return undefined;
  }
}
