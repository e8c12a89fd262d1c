import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { derivedCreatedDateTime } from '../../src/graph/resources.js';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import { appToken, copyOfContoso, expectGraphError, fixtureOf, graph, GRAPH, guid, ok, putFixture, sorted, userToken, values } from './graph-support.js';

/** GET /v1.0/groups/delta: a full round, then only what changed through the test-control API. */
let m: TestMock;

const { adele, alex, megan } = CONTOSO.users;
const { engineering, dataStewards, allCompany } = CONTOSO.groups;
const path = (link: unknown): string => String(link).replace(GRAPH, '');
const ref = (id: string, type: 'user' | 'group' = 'user', removed = false) => ({
  '@odata.type': `#microsoft.graph.${type}`,
  id,
  ...(removed ? { '@removed': { reason: 'deleted' } } : {}),
});

beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

/** A Contoso copy and an app token for it. */
async function setup(change?: (f: TenantFixture) => void): Promise<{ tenant: string; token: string }> {
  const tenant = await copyOfContoso(m, change);
  return { tenant, token: await appToken(m, tenant) };
}

/** Reads a round to its delta link: the items of every page, and the delta link. */
async function round(
  token: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ items: Array<Record<string, unknown>>; deltaLink: string; pages: number; contexts: string[] }> {
  const items: Array<Record<string, unknown>> = [];
  const contexts: string[] = [];
  let next: string | undefined = url;
  let pages = 0;
  for (;;) {
    const b = ok(await graph(m, token, next, { headers }));
    pages += 1;
    contexts.push(String(b['@odata.context']));
    items.push(...values(b));
    if (b['@odata.deltaLink']) {
      expect(b).not.toHaveProperty('@odata.nextLink');
      return { items, deltaLink: path(b['@odata.deltaLink']), pages, contexts };
    }
    expect(String(b['@odata.nextLink'])).toMatch(/\/v1\.0\/groups\/delta\?\$skiptoken=[A-Za-z0-9_-]+$/);
    next = path(b['@odata.nextLink']);
  }
}

describe('the first round', () => {
  it('returns every group with the properties that are set (no nulls), its id, and members@delta', async () => {
    const { token } = await setup();
    const r = await round(token, '/v1.0/groups/delta');
    expect(r.pages).toBe(1);
    expect(r.contexts).toEqual([`${GRAPH}/v1.0/$metadata#groups`]);
    expect(r.deltaLink).toMatch(/^\/v1\.0\/groups\/delta\?\$deltatoken=[A-Za-z0-9_-]+$/);
    expect(r.items.map((g) => g.id)).toEqual(sorted([engineering, dataStewards, allCompany]));
    const eng = r.items.find((g) => g.id === engineering)!;
    const created = derivedCreatedDateTime(engineering);
    expect(eng).toEqual({
      createdDateTime: created,
      displayName: 'Engineering',
      groupTypes: [],
      mailEnabled: false,
      mailNickname: 'Engineering',
      proxyAddresses: [],
      renewedDateTime: created,
      resourceBehaviorOptions: [],
      resourceProvisioningOptions: [],
      securityEnabled: true,
      onPremisesProvisioningErrors: [],
      id: engineering,
      'members@delta': [ref(alex.id), ref(adele.id)].sort((a, b) => (a.id < b.id ? -1 : 1)),
    });
    expect(Object.keys(eng).slice(-2)).toEqual(['id', 'members@delta']);
  });

  it('with $select: only those properties, the context naming them; members only when selected', async () => {
    const { token } = await setup();
    const withMembers = await round(token, '/v1.0/groups/delta?$select=displayName,description,members');
    expect(withMembers.contexts[0]).toBe(`${GRAPH}/v1.0/$metadata#groups(displayName,description,members)`);
    expect(withMembers.items.find((g) => g.id === dataStewards)).toEqual({
      displayName: 'Data Stewards',
      id: dataStewards,
      'members@delta': [ref(alex.id), ref(megan.id)].sort((a, b) => (a.id < b.id ? -1 : 1)),
    });
    const noMembers = await round(token, '/v1.0/groups/delta?$select=displayName');
    expect(noMembers.items.find((g) => g.id === dataStewards)).toEqual({ displayName: 'Data Stewards', id: dataStewards });
  });

  it('answers on delta(), microsoft.graph.delta and microsoft.graph.delta() as well', async () => {
    const { token } = await setup();
    for (const p of ['/v1.0/groups/delta()', '/v1.0/groups/microsoft.graph.delta', '/v1.0/groups/microsoft.graph.delta()']) {
      const b = ok(await graph(m, token, p));
      expect(values(b)).toHaveLength(3);
      expect(String(b['@odata.deltaLink'])).toContain(`${GRAPH}${p}?$deltatoken=`);
    }
  });

  it('filters by id (at most 50) and nothing else', async () => {
    const { token } = await setup();
    const r = await round(token, `/v1.0/groups/delta?$filter=${encodeURIComponent(`id eq '${engineering}' or id eq '${allCompany}'`)}&$select=displayName`);
    expect(r.items).toEqual(
      [
        { displayName: 'Engineering', id: engineering },
        { displayName: 'All Company', id: allCompany },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expectGraphError(
      await graph(m, token, `/v1.0/groups/delta?$filter=${encodeURIComponent("displayName eq 'Engineering'")}`),
      400,
      'Request_UnsupportedQuery',
      "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'Group'.",
    );
  });

  it('is refused with User.Read only', async () => {
    expectGraphError(
      await graph(m, await userToken(m), '/v1.0/groups/delta'),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });
});

describe('after the directory changes', () => {
  it('returns only what changed: new groups, changed properties, members@delta with removals, deleted groups', async () => {
    const { tenant, token } = await setup();
    const first = await round(token, '/v1.0/groups/delta');
    const unchanged = ok(await graph(m, token, first.deltaLink));
    expect(values(unchanged)).toEqual([]);
    expect(unchanged['@odata.deltaLink']).toBeDefined();

    const f = await fixtureOf(m, tenant);
    const eng = f.groups!.find((g) => g.id === engineering)!;
    eng.displayName = 'Engineering & Design';
    eng.members = [adele.id, megan.id];
    const newTeam = guid();
    f.groups = f.groups!.filter((g) => g.id !== dataStewards && g.id !== allCompany);
    f.groups.push({ id: newTeam, displayName: 'New Team', groupTypes: [], securityEnabled: true, mailEnabled: false, members: [adele.id, engineering] });
    await putFixture(m, tenant, f);

    const second = await round(token, first.deltaLink);
    expect(second.contexts).toEqual([`${GRAPH}/v1.0/$metadata#groups`]);
    const byId = new Map(second.items.map((g) => [g.id, g]));
    expect([...byId.keys()]).toEqual(sorted([engineering, newTeam, dataStewards, allCompany]));
    expect(byId.get(engineering)).toMatchObject({
      displayName: 'Engineering & Design',
      id: engineering,
      'members@delta': [ref(megan.id), ref(alex.id, 'user', true)].sort((a, b) => (a.id < b.id ? -1 : 1)),
    });
    expect(byId.get(newTeam)).toMatchObject({
      displayName: 'New Team',
      id: newTeam,
      'members@delta': [ref(adele.id), ref(engineering, 'group')].sort((a, b) => (a.id < b.id ? -1 : 1)),
    });
    // A security group is gone at once; a Microsoft 365 group can be restored for 30 days.
    expect(byId.get(dataStewards)).toEqual({ id: dataStewards, '@removed': { reason: 'deleted' } });
    expect(byId.get(allCompany)).toEqual({ id: allCompany, '@removed': { reason: 'changed' } });

    expect(values(ok(await graph(m, token, second.deltaLink)))).toEqual([]);
    // The first delta link still answers from its own point: the same changes.
    expect((await round(token, first.deltaLink)).items.map((g) => g.id)).toEqual([...byId.keys()]);
  });

  it('tracks only the selected properties; membership only with members selected', async () => {
    const { tenant, token } = await setup();
    const names = await round(token, '/v1.0/groups/delta?$select=displayName');
    const withMembers = await round(token, '/v1.0/groups/delta?$select=description,members');
    const f = await fixtureOf(m, tenant);
    f.groups!.find((g) => g.id === engineering)!.description = 'Builds things';
    f.groups!.find((g) => g.id === dataStewards)!.members = [megan.id];
    await putFixture(m, tenant, f);
    expect((await round(token, names.deltaLink)).items).toEqual([]);
    expect((await round(token, withMembers.deltaLink)).items).toEqual(
      [
        { description: 'Builds things', id: engineering },
        { id: dataStewards, 'members@delta': [ref(alex.id, 'user', true)] },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });

  it('with Prefer: return=minimal, only the properties that changed (a cleared one as null)', async () => {
    const { tenant, token } = await setup((f) => {
      f.groups!.find((g) => g.id === engineering)!.description = 'Old text';
    });
    const first = await round(token, '/v1.0/groups/delta?$select=displayName,description,mailNickname');
    const f = await fixtureOf(m, tenant);
    f.groups!.find((g) => g.id === engineering)!.description = null;
    await putFixture(m, tenant, f);
    const r = await graph(m, token, first.deltaLink, { headers: { Prefer: 'return=minimal' } });
    expect(values(ok(r))).toEqual([{ description: null, id: engineering }]);
    expect(r.headers['preference-applied']).toBe('return=minimal');
    expect(values(ok(await graph(m, token, first.deltaLink)))).toEqual([
      { displayName: 'Engineering', description: null, mailNickname: 'Engineering', id: engineering },
    ]);
  });

  it('$deltatoken=latest: no data, a link that sees later changes', async () => {
    const { tenant, token } = await setup();
    const latest = ok(await graph(m, token, '/v1.0/groups/delta?$deltatoken=latest'));
    expect(values(latest)).toEqual([]);
    const f = await fixtureOf(m, tenant);
    f.groups!.find((g) => g.id === engineering)!.displayName = 'Eng';
    await putFixture(m, tenant, f);
    const r = await round(token, path(latest['@odata.deltaLink']));
    expect(r.items.map((g) => [g.id, g.displayName])).toEqual([[engineering, 'Eng']]);
  });

  it('also sees changes made with JSON Patch', async () => {
    const { tenant, token } = await setup();
    const first = await round(token, '/v1.0/groups/delta?$select=displayName,members');
    const f = await fixtureOf(m, tenant);
    const index = f.groups!.findIndex((g) => g.id === allCompany);
    const p = await m.inject({
      method: 'PATCH',
      url: `/_mock/tenants/${tenant}/fixture`,
      payload: JSON.stringify([{ op: 'add', path: `/groups/${index}/members/-`, value: megan.id }]),
      headers: { 'content-type': 'application/json-patch+json' },
    });
    expect(p.statusCode, p.body).toBe(200);
    expect((await round(token, first.deltaLink)).items).toEqual([{ displayName: 'All Company', id: allCompany, 'members@delta': [ref(megan.id)] }]);
  });
});

describe('pages', () => {
  it('splits many groups into pages of 100, and a large group’s members across pages, repeating the group', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const big = 'ffffffff-0000-4000-8000-000000000000';
    // In-process (the fixture is larger than the control API's body limit).
    const base = await fixtureOf(m, CONTOSO.tenantId);
    const tenant = guid();
    m.ctx.tenants.add({
      ...base,
      id: tenant,
      verifiedDomains: [`delta${tenant.slice(0, 8)}.example.com`],
      users: [...base.users!, ...many.map((id, i) => ({ id, userPrincipalName: `u${i}@delta.example.com`, displayName: `U${i}` }))],
      groups: [
        ...base.groups!,
        ...Array.from({ length: 230 }, (_, i) => ({
          id: `11111111-0000-4000-8000-${String(i).padStart(12, '0')}`,
          displayName: `G${i}`,
          groupTypes: [],
          securityEnabled: true,
          mailEnabled: false,
          members: [],
        })),
        { id: big, displayName: 'Big', groupTypes: [], securityEnabled: true, mailEnabled: false, members: many },
      ],
    });
    const token = await appToken(m, tenant);
    const r = await round(token, '/v1.0/groups/delta?$select=displayName,members');
    const bigPieces = r.items.filter((g) => g.id === big);
    expect(bigPieces.length).toBe(3);
    expect(bigPieces.every((g) => g.displayName === 'Big')).toBe(true);
    const members = bigPieces.flatMap((g) => (g['members@delta'] as Array<{ id: string }>).map((x) => x.id));
    expect(members).toEqual([...many].sort());
    const groupIds = new Set(r.items.map((g) => g.id));
    expect(groupIds.size).toBe(3 + 230 + 1);
    expect(r.pages).toBeGreaterThanOrEqual(5);
    expect(r.contexts.slice(1).every((c) => c === `${GRAPH}/v1.0/$metadata#groups`)).toBe(true);
  });
});

describe('tokens that cannot be answered', () => {
  it('a reset tenant, or a token older than 7 days: 410 with a Location to start over', async () => {
    const { tenant, token } = await setup();
    const first = await round(token, '/v1.0/groups/delta?$select=displayName');
    await m.inject({ method: 'POST', url: `/_mock/tenants/${tenant}/reset` });
    const fresh = await appToken(m, tenant);
    const r = await graph(m, fresh, first.deltaLink);
    expectGraphError(r, 410, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.');
    expect(r.headers.location).toBe(`${GRAPH}/v1.0/groups/delta?$select=displayName&$deltatoken=`);
    // Following it starts a new round.
    expect((await round(fresh, path(r.headers.location))).items).toHaveLength(3);

    const second = await round(fresh, '/v1.0/groups/delta');
    await m.inject({
      method: 'POST',
      url: `/_mock/tenants/${tenant}/clock/advance`,
      payload: JSON.stringify({ seconds: 8 * 24 * 3600 }),
      headers: { 'content-type': 'application/json' },
    });
    expectGraphError(
      await graph(m, await appToken(m, tenant), second.deltaLink),
      410,
      'syncStateNotFound',
      'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
    );
  });

  it('a token changed by one character, or from another tenant: 400', async () => {
    const a = await setup();
    const b = await setup();
    const link = (await round(a.token, '/v1.0/groups/delta')).deltaLink;
    const token = link.split('$deltatoken=')[1]!;
    const flipped = `${token.slice(0, 30)}${token[30] === 'A' ? 'B' : 'A'}${token.slice(31)}`;
    expectGraphError(await graph(m, a.token, `/v1.0/groups/delta?$deltatoken=${flipped}`), 400, 'Request_BadRequest', 'Invalid delta token.');
    expectGraphError(await graph(m, b.token, link), 400, 'Request_BadRequest', 'Invalid delta token.');
    expectGraphError(await graph(m, a.token, '/v1.0/groups/delta?$skiptoken=nonsense'), 400, 'Request_BadRequest', 'Invalid Skip Token');
  });
});
