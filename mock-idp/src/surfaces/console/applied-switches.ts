import { randomUUID } from 'node:crypto';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import type { Undo } from './misconfigurations.js';

/**
 * The one-click misconfigurations applied to each tenant, with how to undo each — held by the
 * console, beside the tenant (a WeakMap: a deleted tenant takes its list with it). A tenant
 * reset undoes everything at once, so the list is emptied then too — whether the console or the
 * JSON control API reset it: each list remembers the tenant's reset epoch and is dropped once
 * that changes.
 */

export interface AppliedSwitch {
  id: string;
  scenario: string;
  summary: string;
  /** ISO time by the tenant's clock. */
  at: string;
  undo: Undo;
}

/** At most this many per tenant: the oldest cannot be undone alone past it (reset the tenant). */
const MAX_APPLIED = 100;

export class AppliedSwitches {
  private readonly byTenant = new WeakMap<TenantRuntime, { epoch: string; list: AppliedSwitch[] }>();

  list(t: TenantRuntime): readonly AppliedSwitch[] {
    return this.current(t);
  }

  add(t: TenantRuntime, scenario: string, summary: string, undo: Undo): AppliedSwitch {
    const list = this.current(t);
    const applied: AppliedSwitch = { id: randomUUID(), scenario, summary, at: new Date(t.now()).toISOString(), undo };
    list.unshift(applied);
    if (list.length > MAX_APPLIED) list.length = MAX_APPLIED;
    return applied;
  }

  take(t: TenantRuntime, id: string): AppliedSwitch | undefined {
    const list = this.current(t);
    const i = list.findIndex((a) => a.id === id);
    return i < 0 ? undefined : list.splice(i, 1)[0];
  }

  /** Puts back a switch whose undo failed, where it was. */
  restore(t: TenantRuntime, applied: AppliedSwitch): void {
    this.current(t).unshift(applied);
  }

  clear(t: TenantRuntime): void {
    this.byTenant.delete(t);
  }

  /** The tenant's list since its last reset (a reset made anywhere changes the epoch). */
  private current(t: TenantRuntime): AppliedSwitch[] {
    const held = this.byTenant.get(t);
    if (held && held.epoch === t.changes.epoch) return held.list;
    const fresh = { epoch: t.changes.epoch, list: [] as AppliedSwitch[] };
    this.byTenant.set(t, fresh);
    return fresh.list;
  }
}
