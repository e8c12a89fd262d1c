import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { mockApp, T, type TestMock } from '../support/mock-app.js';
import { appToken, copyOfContoso, fixtureOf, graph, grantAppRoles, guid, ids, ok, putFixture, readAll, values } from './graph-support.js';

/**
 * Paging to the end on a tenant of a few thousand objects: every object exactly once, counts that
 * match the tenant, next links that keep every other option, and a place kept when the
 * directory changes between pages.
 */
let m: TestMock;
let tenant: string;
let token: string;
let fixture: TenantFixture;

const USERS = 3000;
const GROUPS = 2500;
const BIG_MEMBERS = 2100;
const uuid = (name: string): string => {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const userIds = Array.from({ length: USERS }, (_, i) => uuid(`paging-user-${i}`));
const groupIds = Array.from({ length: GROUPS }, (_, i) => uuid(`paging-group-${i}`));
const bigGroup = groupIds[0]!;

beforeAll(async () => {
  m = await mockApp();
  // Too large for the control API's 1 MiB body limit: added in-process, as a fixture file would be.
  const base = await fixtureOf(m, T);
  tenant = guid();
  const f: TenantFixture = { ...base, id: tenant, displayName: 'Paging', verifiedDomains: [`paging${tenant.slice(0, 8)}.example.com`] };
  {
    grantAppRoles(f, 'User.Read.All');
    const domain = f.verifiedDomains[0]!;
    f.users!.push(
      ...userIds.map((id, i) => ({
        id,
        userPrincipalName: `user${i}@${domain}`,
        displayName: `User ${String(i).padStart(4, '0')}`,
        mail: `user${i}@example.com`,
      })),
    );
    f.groups!.push(
      ...groupIds.map((id, i) => ({
        id,
        displayName: `Group ${String(i).padStart(4, '0')}`,
        groupTypes: i % 10 === 0 ? ['Unified'] : [],
        securityEnabled: i % 10 !== 0,
        mailEnabled: i % 10 === 0,
        // About 5 memberships per user; group 0 holds the first 2,100 users.
        members: i === 0 ? userIds.slice(0, BIG_MEMBERS) : userIds.filter((_, u) => (u * 7 + i) % GROUPS < 5),
      })),
    );
  }
  m.ctx.tenants.add(f);
  token = await appToken(m, tenant);
  fixture = await fixtureOf(m, tenant);
}, 60_000);
afterAll(() => m.close());

describe('paging /v1.0/groups to the end', () => {
  it('returns every group exactly once in pages of 999, @odata.count on the first page only, equal to the tenant’s', async () => {
    const { items, pages, first } = await readAll(m, token, '/v1.0/groups?$top=999&$select=id,displayName&$count=true', { ConsistencyLevel: 'eventual' });
    const all = fixture.groups!.map((g) => g.id);
    expect(pages).toBe(Math.ceil(all.length / 999));
    expect(items.map((g) => g.id)).toEqual([...all].sort());
    expect(new Set(items.map((g) => g.id)).size).toBe(all.length);
    expect(first['@odata.count']).toBe(all.length);
    const c = await graph(m, token, '/v1.0/groups/$count', { headers: { ConsistencyLevel: 'eventual' } });
    expect(Number(c.body)).toBe(all.length);
  });

  it('pages with the default size of 100', async () => {
    const b = ok(await graph(m, token, '/v1.0/groups?$select=id'));
    expect(values(b)).toHaveLength(100);
    expect(String(b['@odata.nextLink'])).toMatch(/\/v1\.0\/groups\?\$select=id&\$skiptoken=/);
  });

  it('keeps the filter, the select and the count option in every next link', async () => {
    const filter = encodeURIComponent("groupTypes/any(c:c eq 'Unified')");
    const first = ok(await graph(m, token, `/v1.0/groups?$filter=${filter}&$select=id,groupTypes&$top=40&$count=true`));
    expect(String(first['@odata.nextLink'])).toMatch(
      /\/v1\.0\/groups\?\$filter=groupTypes%2Fany.*&\$select=id,groupTypes&\$top=40&\$count=true&\$skiptoken=[^&]+$/,
    );
    const { items, pages } = await readAll(m, token, `/v1.0/groups?$filter=${filter}&$select=id,groupTypes&$top=40&$count=true`);
    // Every tenth generated group, and Contoso's All Company.
    const unified = GROUPS / 10 + 1;
    expect(items).toHaveLength(unified);
    expect(pages).toBe(Math.ceil(unified / 40));
    expect(items.every((g) => JSON.stringify(g.groupTypes) === '["Unified"]' && Object.keys(g).join() === 'id,groupTypes')).toBe(true);
  });

  it('pages an order by displayName, descending, without gaps or repeats', async () => {
    const { items } = await readAll(m, token, '/v1.0/groups?$orderby=displayName desc&$select=displayName&$top=333');
    const names = fixture.groups!.map((g) => g.displayName).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? 1 : -1));
    expect(items.map((g) => g.displayName)).toEqual(names);
  });

  it('keeps its place when the directory changes between pages', async () => {
    const copy = await copyOfContoso(m, (f) => {
      f.groups!.push(
        ...groupIds.slice(0, 300).map((id, i) => ({ id, displayName: `G${i}`, groupTypes: [], securityEnabled: true, mailEnabled: false, members: [] })),
      );
    });
    const t = await appToken(m, copy);
    const first = ok(await graph(m, t, '/v1.0/groups?$top=100&$select=id'));
    const seen = ids(first);
    // Remove a group already served and one not yet served; add one after the cursor.
    const f = await fixtureOf(m, copy);
    const sortedIds = f.groups!.map((g) => g.id).sort();
    const servedGone = seen[10]!;
    const laterGone = sortedIds[250]!;
    const added = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
    f.groups = f.groups!.filter((g) => g.id !== servedGone && g.id !== laterGone);
    f.groups.push({ id: added, displayName: 'Late', groupTypes: [], securityEnabled: true, mailEnabled: false, members: [] });
    await putFixture(m, copy, f);
    const rest = await readAll(m, t, String(first['@odata.nextLink']).replace('https://localhost:8443', ''));
    const all = [...seen, ...rest.items.map((g) => String(g.id))];
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(laterGone);
    expect(all).toContain(added);
    expect(all.length).toBe(sortedIds.length - 1 + 1);
  });
});

describe('paging users and members to the end', () => {
  it('/v1.0/users: every user once', async () => {
    const { items } = await readAll(m, token, '/v1.0/users?$top=999&$select=id');
    expect(items.map((u) => u.id)).toEqual(fixture.users!.map((u) => u.id).sort());
  });

  it('/members of a group of 2,100: three pages of 999, all members once, count equal', async () => {
    const { items, pages, first } = await readAll(m, token, `/v1.0/groups/${bigGroup}/members?$top=999&$select=id,userPrincipalName&$count=true`, {
      ConsistencyLevel: 'eventual',
    });
    expect(pages).toBe(3);
    expect(first['@odata.count']).toBe(BIG_MEMBERS);
    expect(items.map((u) => u.id)).toEqual(userIds.slice(0, BIG_MEMBERS).sort());
    expect(items.every((u) => u['@odata.type'] === '#microsoft.graph.user' && typeof u.userPrincipalName === 'string')).toBe(true);
  });

  it('every group’s members, read page by page, are the tenant’s memberships', async () => {
    const groups = fixture.groups!.filter((g) => g.id !== bigGroup).slice(0, 300);
    for (const g of groups) {
      const { items } = await readAll(m, token, `/v1.0/groups/${g.id}/members?$select=id&$top=3`);
      expect(items.map((u) => u.id)).toEqual([...new Set(g.members ?? [])].sort());
    }
  }, 60_000);
});
