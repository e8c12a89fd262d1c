import { describe, it, expect } from 'vitest';
import { generateDirectory } from '../../src/directory/generate-tenant.js';
import type { TenantFixture } from '../../src/directory/model.js';
import { TenantDirectory } from '../../src/directory/tenant-directory.js';
import { validateFixture } from '../../src/directory/validate-fixture.js';

/**
 * TenantDirectory reuses the positions the validator resolved group members to
 * (resolved-members.ts). Whatever changed in between must still come out right.
 */
function fixture(): TenantFixture {
  const { users, groups } = generateDirectory({ seed: 11, users: 200, groups: 20, nestedGroups: 4 }, { domain: 'index.test' });
  return { id: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d', displayName: 'Index', verifiedDomains: ['index.test'], users, groups };
}

/** memberOf as plain sorted data, to compare directories built different ways. */
function memberOf(directory: TenantDirectory): Array<[string, string[]]> {
  return [...directory.memberOf].map(([id, groups]): [string, string[]] => [id, [...groups].sort()]).sort(([a], [b]) => a.localeCompare(b));
}

/** The same fixture's directory without any validator record (a fresh copy of every array). */
const unrecorded = (t: TenantFixture): TenantDirectory => new TenantDirectory(structuredClone(t));

describe('TenantDirectory with the validator’s resolved members', () => {
  it('indexes exactly what it indexes without them', () => {
    const t = fixture();
    expect(validateFixture({ tenants: [t] }, 'x')).toEqual([]);
    expect(memberOf(new TenantDirectory(t))).toEqual(memberOf(unrecorded(t)));
  });

  it('notices a member replaced after validation', () => {
    const t = fixture();
    expect(validateFixture({ tenants: [t] }, 'x')).toEqual([]);
    const group = t.groups!.find((g) => (g.members?.length ?? 0) > 1)!;
    const outsider = t.users!.find((u) => !group.members!.includes(u.id))!;
    const replaced = group.members![0]!;
    group.members![0] = outsider.id;
    const directory = new TenantDirectory(t);
    expect(directory.memberOf.get(outsider.id)).toContain(group.id);
    expect(directory.memberOf.get(replaced) ?? []).not.toContain(group.id);
    expect(memberOf(directory)).toEqual(memberOf(unrecorded(t)));
  });

  it('notices a user whose id changed after validation, and members written in upper case', () => {
    const t = fixture();
    expect(validateFixture({ tenants: [t] }, 'x')).toEqual([]);
    const user = t.users![0]!;
    const oldId = user.id;
    const newId = '0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d';
    user.id = newId;
    const groups = t.groups!.filter((g) => g.members!.includes(oldId));
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) g.members = g.members!.map((m) => (m === oldId ? newId : m.toUpperCase()));
    const directory = new TenantDirectory(t);
    expect([...directory.memberOf.get(newId)!].sort()).toEqual(groups.map((g) => g.id).sort());
    expect(directory.memberOf.has(oldId)).toBe(false);
    expect([...directory.memberOf.keys()].every((k) => k === k.toLowerCase())).toBe(true);
    expect(memberOf(directory)).toEqual(memberOf(unrecorded(t)));
  });
});

describe('validator: group members checked by hand (not by ajv), with the schema’s messages', () => {
  const GUID = 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)';
  const problems = (t: TenantFixture): string[] => validateFixture({ tenants: [t] }, 'x').map((i) => `${i.path}: ${i.message}`);

  it('in a tenant otherwise valid: not a GUID, not a member of the tenant, listed twice', () => {
    const t = fixture();
    const members = t.groups![0]!.members!;
    members.push('adele', '11111111-2222-3333-4444-555555555555', members[0]!);
    const n = members.length;
    expect(problems(t)).toEqual([
      `tenants[0].groups[0].members[${n - 3}]: ${GUID}`,
      `tenants[0].groups[0].members[${n - 2}]: must be the id of a user or group in this tenant`,
      `tenants[0].groups[0].members[${n - 1}]: is the same as members[0]`,
    ]);
  });

  it('in a tenant the schema already found broken', () => {
    const t = fixture();
    (t as { displayName: unknown }).displayName = 5;
    const members = t.groups![0]!.members!;
    members.push('adele', members[0]!, 7 as unknown as string);
    const n = members.length;
    expect(problems(t)).toEqual([
      'tenants[0].displayName: must be a string',
      `tenants[0].groups[0].members[${n - 1}]: must be a string`,
      `tenants[0].groups[0].members[${n - 3}]: ${GUID}`,
      `tenants[0].groups[0].members[${n - 2}]: is the same as members[0]`,
    ]);
  });
});

describe('TenantDirectory from the mock’s own load (a sealed record)', () => {
  it('indexes exactly what it indexes without the record, and the objects are frozen', async () => {
    const { loadFixtures } = await import('../../src/directory/load-fixture.js');
    const { TenantRuntime } = await import('../../src/runtime/tenant-runtime.js');
    const t = fixture();
    t.groups![1]!.members = t.groups![1]!.members!.map((m) => m.toUpperCase());
    const doc = await loadFixtures([{ tenants: [t] }], { seal: true });
    const loaded = doc.tenants[0]!;
    expect(Object.isFrozen(loaded.groups![0]!.members)).toBe(true);
    const runtime = new TenantRuntime(loaded);
    expect(memberOf(runtime.directory)).toEqual(memberOf(unrecorded(t)));
    runtime.reset();
    expect(memberOf(runtime.directory)).toEqual(memberOf(unrecorded(t)));
  });

  it('from a generate spec: the generator’s frozen objects and positions, trusted, index what the maps would', async () => {
    const { loadFixtures } = await import('../../src/directory/load-fixture.js');
    const { TenantRuntime } = await import('../../src/runtime/tenant-runtime.js');
    const source = {
      tenants: [
        {
          extends: 'contoso',
          id: '6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e',
          displayName: 'Generated',
          verifiedDomains: ['gen.index.test'],
          generate: { seed: 3, users: 300, groups: 30, nestedGroups: 5, guests: 0.1 },
        },
      ],
    };
    const loaded = (await loadFixtures([source], { seal: true })).tenants[0]!;
    const copy = structuredClone(loaded);
    expect(memberOf(new TenantRuntime(loaded).directory)).toEqual(memberOf(unrecorded(copy)));
    expect(validateFixture({ tenants: [copy] }, 'x')).toEqual([]);
  });
});
