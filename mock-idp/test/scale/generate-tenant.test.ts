import { faker as sharedEnglishFaker } from '@faker-js/faker/locale/en';
import { describe, it, expect } from 'vitest';
import { generateDirectory } from '../../src/directory/generate-tenant.js';
import { SCALE_EXAMPLE_SPEC } from '../../src/directory/generate-spec.js';
import type { GenerateSpec, TenantFixture } from '../../src/directory/model.js';
import { TenantDirectory } from '../../src/directory/tenant-directory.js';
import { validateFixture } from '../../src/directory/validate-fixture.js';

const DOMAIN = 'scale.contoso.test';

/** The scale example at a fifth of its users and a tenth of its groups: big enough for distributions, small enough to be quick. */
const SPEC: GenerateSpec = { ...SCALE_EXAMPLE_SPEC, users: 20_000, groups: 2_000 };

const generated = generateDirectory(SPEC, { domain: DOMAIN });
const tenant: TenantFixture = { id: '3f0c5a4e-1b2d-4c8e-9f7a-6b5c4d3e2f10', displayName: 'Scale', verifiedDomains: [DOMAIN], ...generated };
const directory = new TenantDirectory(tenant);
const { users, groups } = generated;
const userIds = new Set(users.map((u) => u.id));
const groupById = new Map(groups.map((g) => [g.id, g]));
const directGroupsOf = (userId: string): number => directory.memberOf.get(userId)?.length ?? 0;

describe('generateDirectory: determinism', () => {
  it('gives the same tenant, byte for byte, for the same spec', () => {
    expect(JSON.stringify(generateDirectory(SPEC, { domain: DOMAIN }))).toBe(JSON.stringify(generated));
  });

  it('does not depend on anything else in the process: shared Faker instances, Math.random', () => {
    const small: GenerateSpec = { seed: 7, users: 300, groups: 40, guests: 0.1, nestedGroups: 5 };
    const before = JSON.stringify(generateDirectory(small, { domain: DOMAIN }));
    sharedEnglishFaker.seed(123);
    sharedEnglishFaker.person.fullName();
    Math.random();
    expect(JSON.stringify(generateDirectory(small, { domain: DOMAIN }))).toBe(before);
  });

  it('gives another tenant for another seed: other ids, other names', () => {
    const other = generateDirectory({ ...SPEC, seed: 43 }, { domain: DOMAIN });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(generated));
    const ids = new Set([...users, ...groups].map((o) => o.id));
    expect([...other.users, ...other.groups].filter((o) => ids.has(o.id))).toEqual([]);
    expect(other.users.slice(0, 20).map((u) => u.displayName)).not.toEqual(users.slice(0, 20).map((u) => u.displayName));
  });

  it('makes version 4 GUIDs, unique across users and groups', () => {
    const ids = [...users, ...groups].map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 1000)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('generateDirectory: what the spec asks for', () => {
  it('makes exactly the requested users and groups, and a valid tenant', () => {
    expect(users).toHaveLength(20_000);
    expect(groups).toHaveLength(2_000);
    expect(validateFixture({ tenants: [tenant] }, 'generated')).toEqual([]);
  });

  it('gives ordinary users the requested mean of direct memberships (Poisson, within ±3 %)', () => {
    const heavy = new Set(users.filter((u) => directGroupsOf(u.id) > 200).map((u) => u.id));
    const ordinary = users.filter((u) => !heavy.has(u.id));
    const mean = ordinary.reduce((sum, u) => sum + directGroupsOf(u.id), 0) / ordinary.length;
    expect(Math.abs(mean - 10)).toBeLessThan(0.3);
    // Spread like a Poisson distribution, not one fixed number: some users in no group, some in 20+.
    const counts = ordinary.map((u) => directGroupsOf(u.id));
    expect(counts.filter((c) => c === 0).length).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(20);
  });

  it('puts exactly the usersInManyGroups users in more than 200 groups, directly and transitively, all of them security groups', () => {
    const direct = users.filter((u) => directGroupsOf(u.id) >= 201);
    expect(direct).toHaveLength(3);
    for (const u of direct) {
      expect(directGroupsOf(u.id)).toBe(250);
      for (const g of directory.memberOf.get(u.id)!) expect(groupById.get(g)!.securityEnabled).toBe(true);
    }
    const transitive = users.filter((u) => directory.transitiveGroupIds(u.id).length >= 201);
    expect(transitive.map((u) => u.id).sort()).toEqual(direct.map((u) => u.id).sort());
  });

  it('nests the requested share of security groups, only in security groups, at most three deep, without cycles', () => {
    const security = groups.filter((g) => g.securityEnabled);
    expect(security).toHaveLength(1_600);
    const edges = groups.flatMap((parent) => (parent.members ?? []).filter((m) => groupById.has(m)).map((child) => ({ parent, child: groupById.get(child)! })));
    expect(edges).toHaveLength(Math.round(1_600 * 0.05));
    expect(new Set(edges.map((e) => e.child.id)).size).toBe(edges.length); // one parent each
    for (const { parent, child } of edges) {
      expect(parent.groupTypes).toEqual([]);
      expect(child.groupTypes).toEqual([]);
      expect(groups.indexOf(parent)).toBeLessThan(groups.indexOf(child)); // so no cycle
    }
    const depth = (id: string): number => (directory.memberOf.get(id) ?? []).reduce((d, parent) => Math.max(d, 1 + depth(parent)), 0);
    const depths = edges.map((e) => depth(e.child.id));
    expect(Math.max(...depths)).toBeLessThanOrEqual(2);
    expect(depths).toContain(2);
  });

  it('leaves the requested share of members without mail', () => {
    const withoutMail = users.filter((u) => u.mail === null);
    expect(withoutMail).toHaveLength(2_000);
    for (const u of withoutMail) expect(u.userType).toBe('Member');
  });

  it('makes guests the way Entra names invited users: alice_fabrikam.com#EXT#@{domain}, mail at home, userType Guest', () => {
    const guests = users.filter((u) => u.userType === 'Guest');
    expect(guests).toHaveLength(400);
    for (const g of guests) {
      expect(g.userPrincipalName).toMatch(/^[a-z]+\.[a-z]+\d*_[a-z0-9.-]+#EXT#@scale\.contoso\.test$/);
      expect(g.userPrincipalName).toBe(`${g.mail!.replace('@', '_')}#EXT#@${DOMAIN}`);
      expect(g.mail!.endsWith(`@${DOMAIN}`)).toBe(false);
    }
    expect(users.filter((u) => u.userType === 'Member' && u.userPrincipalName.includes('#EXT#'))).toEqual([]);
  });

  it('makes Microsoft 365 groups mail-enabled Unified groups, and every mail nickname unique', () => {
    const unified = groups.filter((g) => g.groupTypes?.includes('Unified'));
    expect(unified).toHaveLength(400);
    const shape = (g: (typeof groups)[number]): string =>
      JSON.stringify([g.groupTypes, g.mailEnabled, g.securityEnabled, g.mail === null ? null : g.mail === `${g.mailNickname!}@${DOMAIN}`]);
    expect(new Set(unified.map(shape))).toEqual(new Set([JSON.stringify([['Unified'], true, false, true])]));
    expect(new Set(groups.filter((g) => !unified.includes(g)).map(shape))).toEqual(new Set([JSON.stringify([[], false, true, null])]));
    // No group in a Microsoft 365 group: Entra refuses that nesting.
    expect(unified.flatMap((g) => (g.members ?? []).filter((m) => groupById.has(m)))).toEqual([]);
    const nicknames = groups.map((g) => g.mailNickname!.toLowerCase());
    expect(new Set(nicknames).size).toBe(nicknames.length);
  });

  it('gives members unique UPNs (case-insensitively) on the domain, with their mail the same address', () => {
    const upns = users.map((u) => u.userPrincipalName.toLowerCase());
    expect(new Set(upns).size).toBe(upns.length);
    for (const u of users.filter((u) => u.userType === 'Member').slice(0, 2000)) {
      expect(u.userPrincipalName).toMatch(/^[A-Za-z]+\.[A-Za-z]+\d*@scale\.contoso\.test$/);
      expect(u.displayName).toBe(`${u.givenName!} ${u.surname!}`);
      if (u.mail !== null) expect(u.mail).toBe(u.userPrincipalName);
    }
  });

  it('lists members in directory order, users before nested groups, every member a generated object', () => {
    const position = new Map(users.map((u, i) => [u.id, i]));
    for (const g of groups) {
      const members = g.members ?? [];
      const userPositions = members.filter((m) => userIds.has(m)).map((m) => position.get(m)!);
      expect(userPositions).toEqual([...userPositions].sort((a, b) => a - b));
      const firstGroup = members.findIndex((m) => groupById.has(m));
      if (firstGroup >= 0) expect(members.slice(firstGroup).every((m) => groupById.has(m))).toBe(true);
      expect(members.every((m) => userIds.has(m) || groupById.has(m))).toBe(true);
    }
  });

  it('skews group sizes like a real tenant: a few big groups, many small ones', () => {
    const sizes = groups.map((g) => (g.members ?? []).filter((m) => userIds.has(m)).length).sort((a, b) => b - a);
    expect(sizes[0]).toBeGreaterThan(1_000);
    expect(sizes[1_000]!).toBeLessThan(100);
  });

  it('avoids the UPNs and mail nicknames a base tenant already has', () => {
    const first = generateDirectory({ seed: 5, users: 50, groups: 10 }, { domain: DOMAIN });
    const again = generateDirectory({ seed: 5, users: 50, groups: 10 }, { domain: DOMAIN, existingUsers: first.users, existingGroups: first.groups });
    const upns = new Set(first.users.map((u) => u.userPrincipalName.toLowerCase()));
    expect(again.users.filter((u) => upns.has(u.userPrincipalName.toLowerCase()))).toEqual([]);
    const nicknames = new Set(first.groups.map((g) => g.mailNickname));
    expect(again.groups.filter((g) => nicknames.has(g.mailNickname))).toEqual([]);
    // Same seed, same people: only the numbers appended to their names differ.
    expect(again.users.map((u) => u.displayName)).toEqual(first.users.map((u) => u.displayName));
  });

  it('handles the edges: no users, no groups, fewer groups than the default mean', () => {
    expect(generateDirectory({ seed: 1, users: 0, groups: 0 }, { domain: DOMAIN })).toEqual({ users: [], groups: [] });
    const noGroups = generateDirectory({ seed: 1, users: 5, groups: 0 }, { domain: DOMAIN });
    expect(noGroups.users).toHaveLength(5);
    const few = generateDirectory({ seed: 1, users: 50, groups: 3 }, { domain: DOMAIN });
    expect(few.groups.every((g) => (g.members ?? []).length <= 50)).toBe(true);
    expect(validateFixture({ tenants: [{ id: tenant.id, displayName: 'x', verifiedDomains: [DOMAIN], ...few }] }, 'few')).toEqual([]);
  });
});
