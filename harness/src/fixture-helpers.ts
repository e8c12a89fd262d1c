import type { Group, TenantFixture } from '../../mock-idp/src/index.js';

/**
 * Small, named tenant edits for `tenant.mutate` — so a scenario file says what the tenant looks
 * like ("Adele is in 250 more security groups"), not how to build it.
 */

/** A stable GUID for the n-th group a helper adds (same scenario → same ids, run after run). */
export function helperGroupId(prefix: number, n: number): string {
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * Adds `count` security groups (named `${name} 1…count`) whose members are `members` (object ids).
 *
 * @example tenant: { mutate: addSecurityGroups({ count: 250, members: [CONTOSO.users.adele.id] }) }
 */
export function addSecurityGroups(o: { count: number; members: string[]; name?: string; idPrefix?: number }): (t: TenantFixture) => void {
  return (t) => {
    const groups: Group[] = (t.groups ??= []);
    for (let i = 1; i <= o.count; i++) {
      groups.push({
        id: helperGroupId(o.idPrefix ?? 0x0a11ce, i),
        displayName: `${o.name ?? 'Project'} ${i}`,
        groupTypes: [],
        securityEnabled: true,
        mailEnabled: false,
        members: [...o.members],
      });
    }
  };
}
