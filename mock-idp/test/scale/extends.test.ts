import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { checkedFixture, DEFAULT_FIXTURE_PATH, loadFixtureFile, loadFixtures, resolveFixture } from '../../src/directory/load-fixture.js';
import { issuesOf } from '../fixtures/issues-of.js';
import type { FixtureDocument, TenantFixture, TenantSource } from '../../src/directory/model.js';
import { TenantRuntime } from '../../src/runtime/tenant-runtime.js';
import { CONTOSO, json, mockApp, tokenPath } from '../support/mock-app.js';

const contoso = (parseYaml(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as FixtureDocument).tenants[0]!;
const SCALE_ID = '3f0c5a4e-1b2d-4c8e-9f7a-6b5c4d3e2f10';
const SCALE = { id: SCALE_ID, displayName: 'Contoso at scale', verifiedDomains: ['scale.contoso.test'] };

const resolveOne = async (tenant: TenantSource): Promise<TenantFixture> => (await resolveFixture({ tenants: [tenant] })).tenants[0]!;

const dir = mkdtempSync(join(tmpdir(), 'mock-entra-extends-'));
const write = (name: string, doc: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};

describe('extends: contoso', () => {
  it("keeps Contoso's applications, secrets, consents, users and groups, ids and all, under the new tenant's id, name and domains", async () => {
    const t = await resolveOne({ extends: 'contoso', ...SCALE, generate: { seed: 1, users: 100, groups: 10 } });
    expect(t.id).toBe(SCALE_ID);
    expect(t.displayName).toBe('Contoso at scale');
    expect(t.verifiedDomains).toEqual(['scale.contoso.test']);
    expect(t.applications).toEqual(contoso.applications);
    expect(t.applications!.flatMap((a) => a.passwordCredentials ?? []).map((c) => c.secretText)).toEqual([
      CONTOSO.bridge.secret,
      CONTOSO.bridge.expiredSecret,
      CONTOSO.ingestion.secret,
    ]);
    expect(t.oauth2PermissionGrants).toEqual(contoso.oauth2PermissionGrants);
    expect(t.appRoleAssignments).toEqual(contoso.appRoleAssignments);
    expect(t.users!.slice(0, 3)).toEqual(contoso.users);
    expect(t.groups!.slice(0, 3)).toEqual(contoso.groups);
    expect(t.users).toHaveLength(103);
    expect(t.groups).toHaveLength(13);
    // Generated users live on the new tenant's first verified domain.
    expect(t.users!.slice(3).every((u) => u.userPrincipalName.endsWith('@scale.contoso.test'))).toBe(true);
  });

  it("keeps the base's id, name and domains when the tenant gives none", async () => {
    const t = await resolveOne({ extends: 'Contoso', generate: { seed: 1, users: 5, groups: 2 } });
    expect([t.id, t.displayName, t.verifiedDomains]).toEqual([CONTOSO.tenantId, 'Contoso', [CONTOSO.domain]]);
    expect(t.users!.slice(3).every((u) => u.userPrincipalName.endsWith(`@${CONTOSO.domain}`))).toBe(true);
  });

  it('replaces an application with the same appId and a user or group with the same id in place; appends the rest', async () => {
    const bridge = { ...contoso.applications![0]!, groupMembershipClaims: 'All' };
    const extraUser = { id: '0f0e0d0c-0b0a-4908-8706-050403020100', userPrincipalName: 'nina@contoso.onmicrosoft.com', displayName: 'Nina' };
    const grant = {
      clientId: CONTOSO.bridge.appId,
      consentType: 'Principal' as const,
      principalId: extraUser.id,
      resourceId: CONTOSO.openMetadataUi.appId,
      scope: 'access_as_user',
    };
    const t = await resolveOne({
      extends: 'contoso',
      applications: [bridge],
      users: [{ ...contoso.users![2]!, jobTitle: 'CMO' }, extraUser],
      oauth2PermissionGrants: [grant],
    });
    expect(t.applications!.map((a) => a.appId)).toEqual(contoso.applications!.map((a) => a.appId));
    expect(t.applications![0]!.groupMembershipClaims).toBe('All');
    expect(t.users!.map((u) => u.id)).toEqual([...contoso.users!.map((u) => u.id), extraUser.id]);
    expect(t.users![2]!.jobTitle).toBe('CMO');
    expect(t.oauth2PermissionGrants).toEqual([...contoso.oauth2PermissionGrants!, grant]);
  });

  it('serves the result: the Identity Bridge gets a Graph token with Group.Read.All in the new tenant', async () => {
    const m = await mockApp({ fixtures: [{ tenants: [{ extends: 'contoso', ...SCALE, generate: { seed: 3, users: 200, groups: 20 } }] }] });
    try {
      const r = await m.form(tokenPath(SCALE_ID), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.bridge.appId,
        client_secret: CONTOSO.bridge.secret,
        scope: 'https://graph.microsoft.com/.default',
      });
      expect(r.statusCode).toBe(200);
      const claims = JSON.parse(Buffer.from(String(json(r).access_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims).toMatchObject({ tid: SCALE_ID, roles: ['Group.Read.All'] });
      expect(m.ctx.tenants.get(SCALE_ID)!.directory.users.size).toBe(203);
    } finally {
      await m.close();
    }
  });
});

describe('extends: a fixture file', () => {
  const base: FixtureDocument = {
    tenants: [
      { ...contoso, id: '11111111-1111-4111-8111-111111111111', verifiedDomains: ['one.test'] },
      { id: '22222222-2222-4222-8222-222222222222', displayName: 'Two', verifiedDomains: ['two.test'] },
    ],
  };
  const baseFile = write('base.json', base);

  it('takes the tenant named after #, relative to the extending file', async () => {
    const file = write('child.json', { tenants: [{ extends: './base.json#11111111-1111-4111-8111-111111111111', ...SCALE }] });
    const doc = await loadFixtureFile(file);
    expect(doc.tenants[0]!.applications).toEqual(contoso.applications);
    expect(doc.tenants[0]!.id).toBe(SCALE_ID);
  });

  it('names the problem: several tenants and no #, an unknown tenant, a missing file, a cycle, not a file at all', async () => {
    const several = write('several.json', { tenants: [{ extends: './base.json', ...SCALE }] });
    expect(await issuesOf(loadFixtureFile(several))).toEqual([
      `${several}: tenants[0].extends: ./base.json has 2 tenants: name one, ./base.json#<tenant id> (11111111-1111-4111-8111-111111111111, 22222222-2222-4222-8222-222222222222)`,
    ]);
    const unknown = write('unknown.json', { tenants: [{ extends: './base.json#33333333-3333-4333-8333-333333333333', ...SCALE }] });
    expect(await issuesOf(loadFixtureFile(unknown))).toEqual([
      `${unknown}: tenants[0].extends: ./base.json has no tenant 33333333-3333-4333-8333-333333333333 (it has 11111111-1111-4111-8111-111111111111, 22222222-2222-4222-8222-222222222222)`,
    ]);
    const missing = write('missing.json', { tenants: [{ extends: './nope.yaml', ...SCALE }] });
    expect(await issuesOf(loadFixtureFile(missing))).toEqual([
      `${missing}: tenants[0].extends: cannot extend ./nope.yaml: it has a problem`,
      `${join(dir, 'nope.yaml')}: (root): cannot read: ENOENT`,
    ]);
    const a = join(dir, 'a.json');
    const b = write('b.json', { tenants: [{ extends: './a.json' }] });
    write('a.json', { tenants: [{ extends: './b.json' }] });
    const cycle = await issuesOf(loadFixtureFile(a));
    expect(cycle[cycle.length - 1]).toBe(`${b}: tenants[0].extends: extends a tenant of a file that is being loaded already: ${a} → ${b} → ${a}`);
    expect(await issuesOf(resolveFixture({ tenants: [{ extends: 'fabrikam' }] }))).toEqual([
      '(inline fixture): tenants[0].extends: must be contoso (the default tenant) or a fixture file: ./base.yaml, or ./base.yaml#<tenant id> when it has several tenants',
    ]);
    expect(baseFile).toBe(join(dir, 'base.json'));
  });
});

describe('generate: validation', () => {
  const specIssues = (generate: unknown, extra: Record<string, unknown> = {}): Promise<string[]> =>
    issuesOf(resolveFixture({ tenants: [{ ...SCALE, ...extra, generate }] }, 'fixtures/big.yaml'));

  it('names each bad number by its exact path', async () => {
    expect(await specIssues({ seed: -1, users: 1.5, groups: 'many', membershipsPerUser: 51, guests: 2, user: 3 })).toEqual([
      "fixtures/big.yaml: tenants[0].generate: unknown property 'user' (did you mean 'users'?)",
      'fixtures/big.yaml: tenants[0].generate.seed: must be at least 0',
      'fixtures/big.yaml: tenants[0].generate.users: must be an integer',
      'fixtures/big.yaml: tenants[0].generate.groups: must be an integer',
      'fixtures/big.yaml: tenants[0].generate.membershipsPerUser: must be at most 50',
      'fixtures/big.yaml: tenants[0].generate.guests: must be at most 1',
    ]);
    expect(await specIssues({ users: 10, groups: 10 })).toEqual(['fixtures/big.yaml: tenants[0].generate.seed: is required']);
    expect(await specIssues({ seed: 1, users: 10, groups: 10, usersInManyGroups: { count: 1 } })).toEqual([
      'fixtures/big.yaml: tenants[0].generate.usersInManyGroups.groups: is required',
    ]);
  });

  it('checks how the numbers fit together', async () => {
    expect(
      await specIssues({
        seed: 1,
        users: 100,
        groups: 10,
        membershipsPerUser: 12,
        microsoft365Groups: 0.5,
        nestedGroups: 5,
        usersInManyGroups: { count: 101, groups: 6 },
        guests: 0.6,
        usersWithoutMail: 0.5,
      }),
    ).toEqual([
      'fixtures/big.yaml: tenants[0].generate.nestedGroups: must be at most 4: one of the 5 security groups stays at the top',
      'fixtures/big.yaml: tenants[0].generate.membershipsPerUser: must be at most groups (10)',
      'fixtures/big.yaml: tenants[0].generate.usersWithoutMail: must be at most 1 − guests: guests always have a mail address',
      'fixtures/big.yaml: tenants[0].generate.usersInManyGroups.count: must be at most users (100)',
      'fixtures/big.yaml: tenants[0].generate.usersInManyGroups.groups: must be at most the number of security groups (5: groups − microsoft365Groups)',
    ]);
    expect(await specIssues({ seed: 1, users: 1, groups: 10, nestedGroups: 2.5 })).toEqual([
      'fixtures/big.yaml: tenants[0].generate.nestedGroups: must be a share (0 ≤ x < 1) or a whole number of groups',
    ]);
  });

  it('requires id, displayName and verifiedDomains unless the tenant extends a base', async () => {
    expect(await issuesOf(resolveFixture({ tenants: [{ generate: { seed: 1, users: 1, groups: 1 } }] }))).toEqual([
      '(inline fixture): tenants[0].id: is required',
      '(inline fixture): tenants[0].displayName: is required',
      '(inline fixture): tenants[0].verifiedDomains: is required',
    ]);
  });

  it("validates the merged tenant, naming this file's entries, the base's, and generated ones where the author finds them", async () => {
    const twin = { id: '0f0e0d0c-0b0a-4908-8706-050403020100', userPrincipalName: 'adelev@contoso.onmicrosoft.com', displayName: 'Adele again' };
    const group = { id: '1f0e0d0c-0b0a-4908-8706-050403020100', displayName: 'Broken', members: ['99999999-9999-4999-8999-999999999999'] };
    expect(await issuesOf(resolveFixture({ tenants: [{ extends: 'contoso', users: [twin], groups: [group] }] }, 'fixtures/big.yaml'))).toEqual([
      'fixtures/big.yaml: tenants[0].users[0].userPrincipalName: adelev@contoso.onmicrosoft.com is already the userPrincipalName of tenants[0].extends(contoso).users[0]',
      'fixtures/big.yaml: tenants[0].groups[0].members[0]: must be the id of a user or group in this tenant',
    ]);
  });

  it('leaves unresolved tenants to resolveFixture: checkedFixture refuses them', () => {
    expect(() => checkedFixture({ tenants: [{ extends: 'contoso' }] })).toThrow(
      '(inline fixture): tenants[0].extends: is resolved when a fixture is loaded (loadFixtures, loadFixtureFile, resolveFixture), not by checkedFixture',
    );
  });

  it('resolves in-memory documents given to loadFixtures, without changing them', async () => {
    const source = { tenants: [{ extends: 'contoso', ...SCALE, generate: { seed: 2, users: 10, groups: 2 } }] };
    const before = JSON.stringify(source);
    const doc = await loadFixtures([source, DEFAULT_FIXTURE_PATH]);
    expect(doc.tenants.map((t) => t.users!.length)).toEqual([13, 3]);
    expect(JSON.stringify(source)).toBe(before);
  });
});

describe('control API: POST /_mock/tenants', () => {
  it('creates a tenant that extends contoso and generates users and groups', async () => {
    const m = await mockApp();
    try {
      const body = { extends: 'contoso', ...SCALE, generate: { seed: 9, users: 500, groups: 50, guests: 0.1 } };
      const r = await m.inject({ method: 'POST', url: '/_mock/tenants', payload: body });
      expect(r.statusCode).toBe(201);
      expect(json(r)).toMatchObject({ id: SCALE_ID, verifiedDomains: ['scale.contoso.test'] });
      const t = m.ctx.tenants.get(SCALE_ID)!;
      expect(t.directory.users.size).toBe(503);
      expect(t.directory.apps.has(CONTOSO.bridge.appId)).toBe(true);
      // The same spec as a file would give: generation depends on the spec and the domain only.
      const same = await resolveOne(body);
      expect(t.currentFixture()).toEqual(same);
    } finally {
      await m.close();
    }
  });

  it('refuses to extend a file (it does not read the disk) and names the path', async () => {
    const m = await mockApp();
    try {
      const r = await m.inject({ method: 'POST', url: '/_mock/tenants', payload: { extends: './fixtures/contoso.yaml', ...SCALE } });
      expect(r.statusCode).toBe(400);
      expect((json(r).error as { issues: unknown[] }).issues).toEqual([
        {
          file: '(request body)',
          path: 'tenants[0].extends',
          message: 'names a file: here only contoso can be extended (send the tenant expanded instead: `mock-entra fixtures generate --out` writes one)',
        },
      ]);
    } finally {
      await m.close();
    }
  });
});

describe('TenantRuntime: one copy of a big tenant', () => {
  it("shares users and groups (frozen) between the baseline and the directory; consent and reset still work; currentFixture is the caller's", async () => {
    const fixture = await resolveOne({ extends: 'contoso', ...SCALE, generate: { seed: 4, users: 50, groups: 5 } });
    const runtime = new TenantRuntime(fixture);
    const user = runtime.directory.users.get(CONTOSO.users.adele.id)!;
    expect(user).toBe(fixture.users![0]);
    expect(Object.isFrozen(user) && Object.isFrozen(fixture.groups![0]!.members)).toBe(true);
    expect(() => {
      (user as { displayName: string }).displayName = 'changed';
    }).toThrow(TypeError);

    runtime.directory.recordUserConsent(CONTOSO.openMetadataUi.appId, CONTOSO.openMetadataUi.appId, user.id, ['access_as_user']);
    expect(runtime.currentFixture().oauth2PermissionGrants).toHaveLength(5);
    runtime.reset();
    expect(runtime.currentFixture().oauth2PermissionGrants).toHaveLength(4);
    expect(runtime.directory.users.get(CONTOSO.users.adele.id)).toBe(user);

    const copy = runtime.currentFixture();
    copy.users![0]!.displayName = 'mine to change';
    expect(runtime.directory.users.get(CONTOSO.users.adele.id)!.displayName).toBe('Adele Vance');
  });

  it('finds users by mail through an index (case-insensitively; the first user with that mail)', async () => {
    const fixture = await resolveOne({ extends: 'contoso', ...SCALE, generate: { seed: 4, users: 50, groups: 5, usersWithoutMail: 0.2 } });
    const runtime = new TenantRuntime(fixture);
    const withMail = fixture.users!.filter((u) => u.mail).at(-1)!;
    expect(runtime.directory.userByLogin(withMail.mail!.toUpperCase())).toBe(withMail);
    expect(runtime.directory.userByLogin('AdeleV@Contoso.com')!.id).toBe(CONTOSO.users.adele.id);
    expect(runtime.directory.userByLogin('nobody@contoso.com')).toBeUndefined();
  });
});
