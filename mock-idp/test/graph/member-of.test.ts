import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import {
  appToken,
  copyOfContoso,
  expectGraphError,
  graph,
  GRAPH,
  grantScopes,
  ids,
  NESTED,
  ok,
  sorted,
  userToken,
  values,
  withNesting,
} from './graph-support.js';

let m: TestMock;
let tenant: string;
let userRead: string;
let groupMember: string;
let app: string;

const { adele, alex, megan } = CONTOSO.users;
const { engineering, dataStewards, allCompany } = CONTOSO.groups;
/** Adele: Engineering and All Company directly; Platform, Everyone, Secure Outer through nesting. */
const ADELE_DIRECT = sorted([engineering, allCompany]);
const ADELE_ALL = sorted([engineering, allCompany, NESTED.platform, NESTED.everyone, NESTED.secureOuter]);

beforeAll(async () => {
  m = await mockApp();
  tenant = await copyOfContoso(m, (f) => {
    withNesting(f);
    grantScopes(f, 'GroupMember.Read.All');
  });
  // Entra puts every consented scope in the token: User.Read alone needs a tenant that consented nothing more.
  userRead = await userToken(m, { tenant: await copyOfContoso(m, withNesting) });
  groupMember = await userToken(m, { tenant, scope: 'openid profile User.Read GroupMember.Read.All' });
  app = await appToken(m, tenant);
});
afterAll(() => m.close());

describe('GET /v1.0/me/memberOf and /me/transitiveMemberOf', () => {
  it('answers User.Read with the groups limited to type and id (Graph cannot let User.Read read groups)', async () => {
    const b = ok(await graph(m, userRead, '/v1.0/me/memberOf'));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#directoryObjects`);
    expect(ids(b)).toEqual(ADELE_DIRECT);
    const first = values(b)[0]!;
    expect(Object.keys(first).slice(0, 3)).toEqual(['@odata.type', 'id', 'deletedDateTime']);
    expect(first['@odata.type']).toBe('#microsoft.graph.group');
    expect(Object.entries(first).filter(([k, v]) => k !== '@odata.type' && k !== 'id' && v !== null)).toEqual([]);
  });

  it('answers GroupMember.Read.All with the groups in full; transitive includes nested groups', async () => {
    const direct = ok(await graph(m, groupMember, '/v1.0/me/memberOf?$select=id,displayName'));
    expect(values(direct)).toEqual(
      [
        { '@odata.type': '#microsoft.graph.group', id: engineering, displayName: 'Engineering' },
        { '@odata.type': '#microsoft.graph.group', id: allCompany, displayName: 'All Company' },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    const all = ok(await graph(m, groupMember, '/v1.0/me/transitiveMemberOf?$select=id'));
    expect(ids(all)).toEqual(ADELE_ALL);
  });

  it('casts to groups: context #groups, no @odata.type', async () => {
    const b = ok(await graph(m, groupMember, '/v1.0/me/transitiveMemberOf/microsoft.graph.group?$select=id,displayName'));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#groups(id,displayName)`);
    expect(values(b).every((g) => !('@odata.type' in g))).toBe(true);
    expect(ids(b)).toEqual(ADELE_ALL);
    expect(values(ok(await graph(m, groupMember, '/v1.0/me/memberOf/microsoft.graph.user')))).toEqual([]);
  });

  it('counts with ConsistencyLevel: eventual', async () => {
    const h = { headers: { ConsistencyLevel: 'eventual' } };
    expect((await graph(m, userRead, '/v1.0/me/transitiveMemberOf/$count', h)).body).toBe('5');
    expect((await graph(m, userRead, '/v1.0/me/transitiveMemberOf/microsoft.graph.group/$count', h)).body).toBe('5');
    expect((await graph(m, userRead, '/v1.0/me/memberOf/$count', h)).body).toBe('2');
  });

  it('filters on the cast in advanced queries', async () => {
    const b = ok(
      await graph(
        m,
        groupMember,
        `/v1.0/me/transitiveMemberOf/microsoft.graph.group?$count=true&$select=id&$filter=${encodeURIComponent('securityEnabled eq true')}`,
        { headers: { ConsistencyLevel: 'eventual' } },
      ),
    );
    expect(ids(b)).toEqual(sorted([engineering, NESTED.platform, NESTED.secureOuter]));
    expect(b['@odata.count']).toBe(3);
  });

  it('refuses an app-only token on /me', async () => {
    expectGraphError(await graph(m, app, '/v1.0/me/memberOf'), 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    expectGraphError(await graph(m, app, '/v1.0/me/transitiveMemberOf'), 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  });
});

describe('GET /v1.0/users/{id}/memberOf and …/transitiveMemberOf', () => {
  it('answers the app with Group.Read.All (groups in full), by id or UPN', async () => {
    for (const ref of [alex.id, alex.upn]) {
      const b = ok(await graph(m, app, `/v1.0/users/${encodeURIComponent(ref)}/transitiveMemberOf?$select=id,displayName`));
      expect(values(b)).toEqual(
        [
          { '@odata.type': '#microsoft.graph.group', id: engineering, displayName: 'Engineering' },
          { '@odata.type': '#microsoft.graph.group', id: dataStewards, displayName: 'Data Stewards' },
          { '@odata.type': '#microsoft.graph.group', id: NESTED.platform, displayName: 'Platform' },
          { '@odata.type': '#microsoft.graph.group', id: NESTED.everyone, displayName: 'Everyone' },
          { '@odata.type': '#microsoft.graph.group', id: NESTED.secureOuter, displayName: 'Secure Outer' },
        ].sort((a, b2) => (a.id < b2.id ? -1 : 1)),
      );
    }
    expect(ids(ok(await graph(m, app, `/v1.0/users/${megan.id}/memberOf`)))).toEqual(sorted([dataStewards, NESTED.platform]));
  });

  it('lets User.Read ask about the signed-in user only', async () => {
    expect(ids(ok(await graph(m, userRead, `/v1.0/users/${adele.id}/memberOf`)))).toEqual(ADELE_DIRECT);
    expectGraphError(
      await graph(m, userRead, `/v1.0/users/${alex.id}/memberOf`),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });

  it('answers 404 for an unknown user', async () => {
    expectGraphError(
      await graph(m, app, '/v1.0/users/ghost@contoso.onmicrosoft.com/transitiveMemberOf'),
      404,
      'Request_ResourceNotFound',
      "Resource 'ghost@contoso.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present.",
    );
  });
});

describe('GET /v1.0/groups/{id}/memberOf and …/transitiveMemberOf', () => {
  it('lists the groups a group is in', async () => {
    expect(ids(ok(await graph(m, app, `/v1.0/groups/${engineering}/memberOf`)))).toEqual([NESTED.platform]);
    expect(ids(ok(await graph(m, app, `/v1.0/groups/${engineering}/transitiveMemberOf`)))).toEqual(
      sorted([NESTED.platform, NESTED.everyone, NESTED.secureOuter]),
    );
  });
});
