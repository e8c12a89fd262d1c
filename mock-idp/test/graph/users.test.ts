import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import { appToken, copyOfContoso, expectGraphError, graph, grantAppRoles, grantScopes, ids, ok, userToken, values, GRAPH } from './graph-support.js';

let m: TestMock;
let tenant: string;
let delegated: string;
let readAll: string;
let appUsers: string;

const { adele, alex, megan } = CONTOSO.users;
const ADELE = {
  businessPhones: [],
  displayName: 'Adele Vance',
  givenName: 'Adele',
  jobTitle: 'Retail Manager',
  mail: 'AdeleV@contoso.com',
  mobilePhone: null,
  officeLocation: null,
  preferredLanguage: null,
  surname: 'Vance',
  userPrincipalName: 'AdeleV@contoso.onmicrosoft.com',
  id: adele.id,
};

beforeAll(async () => {
  m = await mockApp();
  tenant = await copyOfContoso(m, (f) => {
    grantScopes(f, 'User.Read.All');
    grantAppRoles(f, 'User.Read.All');
  });
  delegated = await userToken(m);
  readAll = await userToken(m, { tenant, scope: 'openid profile User.Read User.Read.All' });
  appUsers = await appToken(m, tenant);
});
afterAll(() => m.close());

describe('GET /v1.0/me', () => {
  it('answers the signed-in user with the default properties, in Graph’s order, nulls included', async () => {
    const r = await graph(m, delegated, '/v1.0/me');
    const b = ok(r);
    expect(Object.keys(b)).toEqual(['@odata.context', ...Object.keys(ADELE)]);
    expect(b).toEqual({ '@odata.context': `${GRAPH}/v1.0/$metadata#users/$entity`, ...ADELE });
    expect(r.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['client-request-id']).toBe(r.headers['request-id']);
    expect(r.headers['odata-version']).toBe('4.0');
  });

  it('echoes a client-request-id', async () => {
    const crid = '7c5a4b3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';
    const r = await graph(m, delegated, '/v1.0/me', { headers: { 'client-request-id': crid } });
    expect(r.headers['client-request-id']).toBe(crid);
  });

  it('serves $select in the order asked, with the context naming the properties', async () => {
    const b = ok(await graph(m, delegated, '/v1.0/me?$select=mail,id,displayName,accountEnabled'));
    expect(b).toEqual({
      '@odata.context': `${GRAPH}/v1.0/$metadata#users(mail,id,displayName,accountEnabled)/$entity`,
      mail: adele.mail,
      id: adele.id,
      displayName: 'Adele Vance',
      accountEnabled: true,
    });
    expect(Object.keys(b)).toEqual(['@odata.context', 'mail', 'id', 'displayName', 'accountEnabled']);
  });

  it('serves a user without mail with mail null', async () => {
    const t = await userToken(m, { upn: megan.upn });
    const b = ok(await graph(m, t, '/v1.0/me?$select=id,mail,userPrincipalName'));
    expect(b).toEqual({
      '@odata.context': `${GRAPH}/v1.0/$metadata#users(id,mail,userPrincipalName)/$entity`,
      id: megan.id,
      mail: null,
      userPrincipalName: megan.upn,
    });
  });

  it('refuses an app-only token with 400 BadRequest', async () => {
    expectGraphError(await graph(m, await appToken(m), '/v1.0/me'), 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  });

  it('refuses a property the type does not have', async () => {
    expectGraphError(
      await graph(m, delegated, '/v1.0/me?$select=id,shoeSize'),
      400,
      'BadRequest',
      "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.",
    );
  });
});

describe('GET /v1.0/users', () => {
  it('is refused with User.Read only (delegated) and with Group.Read.All only (application)', async () => {
    expectGraphError(await graph(m, delegated, '/v1.0/users'), 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    expectGraphError(
      await graph(m, await appToken(m), '/v1.0/users'),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });

  it('lists every user with User.Read.All (delegated and application), sorted by id, without @odata.type', async () => {
    for (const t of [readAll, appUsers]) {
      const b = ok(await graph(m, t, '/v1.0/users'));
      expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#users`);
      expect(ids(b)).toEqual([adele.id, alex.id, megan.id].sort());
      expect(values(b).find((u) => u.id === adele.id)).toEqual(ADELE);
      expect(values(b).every((u) => !('@odata.type' in u))).toBe(true);
      expect(b).not.toHaveProperty('@odata.nextLink');
    }
  });

  it('filters with eq, startswith, in, and/or, case-insensitively', async () => {
    const q = async (filter: string) => ids(ok(await graph(m, appUsers, `/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=id`)));
    expect(await q(`userPrincipalName eq 'adelev@CONTOSO.onmicrosoft.com'`)).toEqual([adele.id]);
    expect(await q(`startswith(displayName,'a')`)).toEqual([adele.id, alex.id].sort());
    expect(await q(`mail in ('AlexW@contoso.com', 'nobody@contoso.com')`)).toEqual([alex.id]);
    expect(await q(`startswith(givenName,'Me') or surname eq 'Wilber'`)).toEqual([alex.id, megan.id].sort());
    expect(await q(`accountEnabled eq true and jobTitle eq 'Marketing Manager'`)).toEqual([megan.id]);
    expect(await q(`proxyAddresses/any(p:startswith(p,'smtp:adele'))`)).toEqual([adele.id]);
  });

  it("pages with $top and a user-style skip token (X'…'), carrying the other options", async () => {
    const b = ok(await graph(m, appUsers, '/v1.0/users?$top=2&$select=id'));
    expect(values(b)).toHaveLength(2);
    const link = String(b['@odata.nextLink']);
    expect(link).toMatch(/^https:\/\/localhost:8443\/v1\.0\/users\?\$top=2&\$select=id&\$skiptoken=X%27[0-9A-F]+%27$/);
    const b2 = ok(await graph(m, appUsers, link.replace(GRAPH, '')));
    expect([...ids(b), ...ids(b2)]).toEqual([adele.id, alex.id, megan.id].sort());
    expect(b2).not.toHaveProperty('@odata.nextLink');
  });

  it('orders by displayName (asc and desc) and userPrincipalName', async () => {
    const q = async (o: string) =>
      values(ok(await graph(m, appUsers, `/v1.0/users?$orderby=${encodeURIComponent(o)}&$select=displayName`))).map((u) => u.displayName);
    expect(await q('displayName')).toEqual(['Adele Vance', 'Alex Wilber', 'Megan Bowen']);
    expect(await q('displayName desc')).toEqual(['Megan Bowen', 'Alex Wilber', 'Adele Vance']);
    expect(await q('userPrincipalName asc')).toEqual(['Adele Vance', 'Alex Wilber', 'Megan Bowen']);
  });

  it('searches with ConsistencyLevel: eventual', async () => {
    const b = ok(await graph(m, appUsers, '/v1.0/users?$search="displayName:wil"&$select=displayName', { headers: { ConsistencyLevel: 'eventual' } }));
    expect(values(b)).toEqual([{ displayName: 'Alex Wilber' }]);
    expectGraphError(
      await graph(m, appUsers, '/v1.0/users?$search="displayName:wil"'),
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  });

  it('counts with $count=true only under ConsistencyLevel: eventual, and /users/$count as text', async () => {
    const plain = ok(await graph(m, appUsers, '/v1.0/users?$count=true&$select=id'));
    expect(plain).not.toHaveProperty('@odata.count');
    const counted = ok(await graph(m, appUsers, '/v1.0/users?$count=true&$select=id', { headers: { ConsistencyLevel: 'eventual' } }));
    expect(Object.keys(counted)).toEqual(['@odata.context', '@odata.count', 'value']);
    expect(counted['@odata.count']).toBe(3);
    const c = await graph(m, appUsers, '/v1.0/users/$count', { headers: { ConsistencyLevel: 'eventual' } });
    expect(c.statusCode).toBe(200);
    expect(c.headers['content-type']).toBe('text/plain');
    expect(c.body).toBe('3');
    expectGraphError(await graph(m, appUsers, '/v1.0/users/$count'), 400, 'Request_BadRequest', '$count is not currently supported.');
  });
});

describe('GET /v1.0/users/{id | userPrincipalName}', () => {
  it('answers by id and by UPN (any case)', async () => {
    for (const ref of [alex.id, alex.upn, alex.upn.toUpperCase()]) {
      const b = ok(await graph(m, appUsers, `/v1.0/users/${encodeURIComponent(ref)}?$select=id,userPrincipalName`));
      expect(b).toEqual({ '@odata.context': `${GRAPH}/v1.0/$metadata#users(id,userPrincipalName)/$entity`, id: alex.id, userPrincipalName: alex.upn });
    }
  });

  it('lets User.Read read the signed-in user by id, not anyone else', async () => {
    expect(ok(await graph(m, delegated, `/v1.0/users/${adele.id}`)).id).toBe(adele.id);
    expectGraphError(
      await graph(m, delegated, `/v1.0/users/${alex.id}`),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });

  it('answers 404 Request_ResourceNotFound for an unknown id or UPN', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    expectGraphError(
      await graph(m, appUsers, `/v1.0/users/${id}`),
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
    expectGraphError(
      await graph(m, appUsers, '/v1.0/users/nobody@contoso.onmicrosoft.com'),
      404,
      'Request_ResourceNotFound',
      "Resource 'nobody@contoso.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present.",
    );
  });

  it('serves the wider property set on $select (derived values stable)', async () => {
    const b = ok(
      await graph(m, appUsers, `/v1.0/users/${adele.id}?$select=userType,accountEnabled,createdDateTime,proxyAddresses,securityIdentifier,identities`),
    );
    expect(b.userType).toBe('Member');
    expect(b.accountEnabled).toBe(true);
    expect(b.createdDateTime).toMatch(/^20(2[0-4])-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(b.proxyAddresses).toEqual(['SMTP:AdeleV@contoso.com']);
    expect(b.securityIdentifier).toMatch(/^S-1-12-1-\d+-\d+-\d+-\d+$/);
    expect(b.identities).toEqual([{ signInType: 'userPrincipalName', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: adele.upn }]);
    const again = ok(await graph(m, appUsers, `/v1.0/users/${adele.id}?$select=createdDateTime`));
    expect(again.createdDateTime).toBe(b.createdDateTime);
  });
});
