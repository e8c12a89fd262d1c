import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import {
  appToken,
  copyOfContoso,
  expectGraphError,
  graph,
  GRAPH,
  grantAppRoles,
  ids,
  NESTED,
  nextPath,
  ok,
  sorted,
  userToken,
  values,
  withNesting,
} from './graph-support.js';

let m: TestMock;
let tenant: string;
let groupReader: string;
let fullReader: string;

const { adele, alex, megan } = CONTOSO.users;
const { engineering, allCompany } = CONTOSO.groups;
const LIMITED_USER = (id: string) => ({
  '@odata.type': '#microsoft.graph.user',
  businessPhones: null,
  displayName: null,
  givenName: null,
  jobTitle: null,
  mail: null,
  mobilePhone: null,
  officeLocation: null,
  preferredLanguage: null,
  surname: null,
  userPrincipalName: null,
  id,
});

beforeAll(async () => {
  m = await mockApp();
  tenant = await copyOfContoso(m, withNesting);
  const withUsers = await copyOfContoso(m, (f) => {
    withNesting(f);
    grantAppRoles(f, 'User.Read.All');
  });
  groupReader = await appToken(m, tenant);
  fullReader = await appToken(m, withUsers);
});
afterAll(() => m.close());

describe('GET /v1.0/groups/{id}/members', () => {
  it('lists direct members as directoryObjects with @odata.type; users come back limited to type and id without a user-reading permission', async () => {
    const b = ok(await graph(m, groupReader, `/v1.0/groups/${NESTED.platform}/members`));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#directoryObjects`);
    expect(ids(b)).toEqual(sorted([engineering, megan.id]));
    const user = values(b).find((v) => v.id === megan.id)!;
    expect(user).toEqual(LIMITED_USER(megan.id));
    expect(Object.keys(user)).toEqual(Object.keys(LIMITED_USER(megan.id)));
    const group = values(b).find((v) => v.id === engineering)!;
    expect(Object.keys(group).slice(0, 3)).toEqual(['@odata.type', 'id', 'deletedDateTime']);
    expect(group).toMatchObject({ '@odata.type': '#microsoft.graph.group', displayName: 'Engineering', securityEnabled: true });
  });

  it('writes a page of users and groups interleaved byte for byte as item-by-item JSON, limited users and full groups in id order', async () => {
    const mixedId = '7a1b2c3d-0000-4000-8000-00000000a11d';
    const members = [adele.id, alex.id, megan.id, engineering, NESTED.platform, allCompany];
    const mixed = await copyOfContoso(m, (f) => {
      withNesting(f);
      f.groups!.push({ id: mixedId, displayName: 'Mixed', groupTypes: [], securityEnabled: true, mailEnabled: false, members });
    });
    const token = await appToken(m, mixed);
    const r = await graph(m, token, `/v1.0/groups/${mixedId}/members`);
    const b = ok(r);
    expect(ids(b)).toEqual(sorted(members));
    const users = new Set<string>([adele.id, alex.id, megan.id]);
    const expected = values(b).map((v) => (users.has(String(v.id)) ? LIMITED_USER(String(v.id)) : v));
    expect(values(b)).toEqual(expected);
    // The page's text is exactly JSON.stringify of its items: runs of limited users joined in one go leave no seam.
    expect(r.body).toBe(JSON.stringify({ '@odata.context': `${GRAPH}/v1.0/$metadata#directoryObjects`, value: expected }));
  });

  it('returns users in full with User.Read.All', async () => {
    const b = ok(await graph(m, fullReader, `/v1.0/groups/${engineering}/members`));
    expect(values(b)).toEqual(
      [
        {
          '@odata.type': '#microsoft.graph.user',
          businessPhones: [],
          displayName: 'Adele Vance',
          givenName: 'Adele',
          jobTitle: 'Retail Manager',
          mail: adele.mail,
          mobilePhone: null,
          officeLocation: null,
          preferredLanguage: null,
          surname: 'Vance',
          userPrincipalName: adele.upn,
          id: adele.id,
        },
        {
          '@odata.type': '#microsoft.graph.user',
          businessPhones: [],
          displayName: 'Alex Wilber',
          givenName: 'Alex',
          jobTitle: 'Marketing Assistant',
          mail: alex.mail,
          mobilePhone: null,
          officeLocation: null,
          preferredLanguage: null,
          surname: 'Wilber',
          userPrincipalName: alex.upn,
          id: alex.id,
        },
      ].sort((a, b2) => (a.id < b2.id ? -1 : 1)),
    );
  });

  it('serves $select on members (the type stays)', async () => {
    const b = ok(await graph(m, fullReader, `/v1.0/groups/${NESTED.platform}/members?$select=id,displayName,userPrincipalName`));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#directoryObjects(id,displayName,userPrincipalName)`);
    expect(values(b)).toEqual(
      [
        { '@odata.type': '#microsoft.graph.group', id: engineering, displayName: 'Engineering' },
        { '@odata.type': '#microsoft.graph.user', id: megan.id, displayName: 'Megan Bowen', userPrincipalName: megan.upn },
      ].sort((a, b2) => (a.id < b2.id ? -1 : 1)),
    );
  });

  it('casts to users (#users) and to groups (#groups), also as graph.user / graph.group, without @odata.type', async () => {
    for (const cast of ['microsoft.graph.user', 'graph.user', 'Microsoft.Graph.User']) {
      const b = ok(await graph(m, fullReader, `/v1.0/groups/${NESTED.platform}/members/${cast}?$select=id,displayName`));
      expect(b).toEqual({ '@odata.context': `${GRAPH}/v1.0/$metadata#users(id,displayName)`, value: [{ id: megan.id, displayName: 'Megan Bowen' }] });
    }
    for (const cast of ['microsoft.graph.group', 'graph.group']) {
      const b = ok(await graph(m, fullReader, `/v1.0/groups/${NESTED.platform}/members/${cast}?$select=id`));
      expect(b).toEqual({ '@odata.context': `${GRAPH}/v1.0/$metadata#groups(id)`, value: [{ id: engineering }] });
    }
    expectGraphError(
      await graph(m, fullReader, `/v1.0/groups/${NESTED.platform}/members/microsoft.graph.device`),
      400,
      'BadRequest',
      "Resource not found for the segment 'microsoft.graph.device'.",
    );
  });

  it('refuses a cast to groups on a Microsoft 365 group', async () => {
    expectGraphError(
      await graph(m, fullReader, `/v1.0/groups/${allCompany}/members/microsoft.graph.group`),
      400,
      'Request_UnsupportedQuery',
      "The type cast 'microsoft.graph.group' is not supported for members of a Microsoft 365 group.",
    );
  });

  it('pages members with $top and @odata.nextLink', async () => {
    const b = ok(await graph(m, groupReader, `/v1.0/groups/${engineering}/members?$top=1&$select=id`));
    expect(ids(b)).toEqual([sorted([adele.id, alex.id])[0]]);
    expect(String(b['@odata.nextLink'])).toMatch(
      new RegExp(`^${GRAPH.replace(/\./g, '\\.')}/v1\\.0/groups/${engineering}/members\\?\\$top=1&\\$select=id&\\$skiptoken=`),
    );
    const b2 = ok(await graph(m, groupReader, nextPath(b)!));
    expect(ids(b2)).toEqual([sorted([adele.id, alex.id])[1]]);
    expect(b2).not.toHaveProperty('@odata.nextLink');
  });

  it('counts members (also per cast) with ConsistencyLevel: eventual', async () => {
    const h = { headers: { ConsistencyLevel: 'eventual' } };
    expect((await graph(m, groupReader, `/v1.0/groups/${NESTED.platform}/members/$count`, h)).body).toBe('2');
    expect((await graph(m, groupReader, `/v1.0/groups/${NESTED.platform}/members/microsoft.graph.user/$count`, h)).body).toBe('1');
    expect((await graph(m, groupReader, `/v1.0/groups/${NESTED.platform}/transitiveMembers/$count`, h)).body).toBe('4');
    expectGraphError(
      await graph(m, groupReader, `/v1.0/groups/${NESTED.platform}/members/$count`),
      400,
      'Request_BadRequest',
      '$count is not currently supported.',
    );
    const counted = ok(await graph(m, groupReader, `/v1.0/groups/${NESTED.platform}/members?$count=true&$select=id`, h));
    expect(counted['@odata.count']).toBe(2);
  });

  it('filters members only in advanced queries', async () => {
    const filter = encodeURIComponent("startswith(displayName,'Meg')");
    expectGraphError(
      await graph(m, fullReader, `/v1.0/groups/${NESTED.platform}/members?$filter=${filter}`),
      400,
      'Request_UnsupportedQuery',
      'The specified filter to the reference property query is currently not supported.',
    );
    const b = ok(
      await graph(m, fullReader, `/v1.0/groups/${NESTED.platform}/members?$count=true&$select=id&$filter=${filter}`, {
        headers: { ConsistencyLevel: 'eventual' },
      }),
    );
    expect(ids(b)).toEqual([megan.id]);
    expect(b['@odata.count']).toBe(1);
  });

  it('answers 404 for an unknown group, 400 for a non-GUID, 403 with User.Read only', async () => {
    const id = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
    expectGraphError(
      await graph(m, groupReader, `/v1.0/groups/${id}/members`),
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
    expectGraphError(await graph(m, groupReader, '/v1.0/groups/all-company/members'), 400, 'Request_BadRequest', "Invalid object identifier 'all-company'.");
    expectGraphError(
      await graph(m, await userToken(m, { tenant }), `/v1.0/groups/${engineering}/members`),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });
});

describe('GET /v1.0/groups/{id}/transitiveMembers', () => {
  it('includes nested groups and everyone inside them, once', async () => {
    const b = ok(await graph(m, groupReader, `/v1.0/groups/${NESTED.secureOuter}/transitiveMembers?$select=id`));
    expect(values(b)).toEqual(
      [
        { '@odata.type': '#microsoft.graph.group', id: NESTED.everyone },
        { '@odata.type': '#microsoft.graph.group', id: NESTED.platform },
        { '@odata.type': '#microsoft.graph.group', id: engineering },
        { '@odata.type': '#microsoft.graph.user', id: megan.id },
        { '@odata.type': '#microsoft.graph.user', id: adele.id },
        { '@odata.type': '#microsoft.graph.user', id: alex.id },
      ].sort((a, b2) => (a.id < b2.id ? -1 : 1)),
    );
    const users = ok(await graph(m, groupReader, `/v1.0/groups/${NESTED.secureOuter}/transitiveMembers/microsoft.graph.user?$select=id`));
    expect(users['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#users(id)`);
    expect(ids(users)).toEqual(sorted([megan.id, adele.id, alex.id]));
  });
});
