import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedCreatedDateTime } from '../../src/graph/resources.js';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import { appToken, copyOfContoso, expectGraphError, graph, GRAPH, grantScopes, ids, ok, userToken, values } from './graph-support.js';

let m: TestMock;
let app: string;

const { engineering, dataStewards, allCompany } = CONTOSO.groups;
const created = derivedCreatedDateTime(engineering);
/** Graph's default group representation, keys in the order Graph serves them (docs/entra-wire.md §8.2). */
const ENGINEERING = {
  id: engineering,
  deletedDateTime: null,
  classification: null,
  createdDateTime: created,
  description: null,
  displayName: 'Engineering',
  expirationDateTime: null,
  groupTypes: [],
  isAssignableToRole: null,
  mail: null,
  mailEnabled: false,
  mailNickname: 'Engineering',
  membershipRule: null,
  membershipRuleProcessingState: null,
  onPremisesLastSyncDateTime: null,
  onPremisesSecurityIdentifier: null,
  onPremisesSyncEnabled: null,
  preferredDataLocation: null,
  preferredLanguage: null,
  proxyAddresses: [],
  renewedDateTime: created,
  resourceBehaviorOptions: [],
  resourceProvisioningOptions: [],
  securityEnabled: true,
  theme: null,
  visibility: null,
  onPremisesProvisioningErrors: [],
};

beforeAll(async () => {
  m = await mockApp();
  app = await appToken(m);
});
afterAll(() => m.close());

const ALL = [engineering, dataStewards, allCompany].sort();

describe('GET /v1.0/groups', () => {
  it('answers the app with Group.Read.All: every group, default properties in order, nulls included', async () => {
    const r = await graph(m, app, '/v1.0/groups');
    const b = ok(r);
    expect(Object.keys(b)).toEqual(['@odata.context', 'value']);
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#groups`);
    expect(ids(b)).toEqual(ALL);
    const eng = values(b).find((g) => g.id === engineering)!;
    expect(eng).toEqual(ENGINEERING);
    expect(Object.keys(eng)).toEqual(Object.keys(ENGINEERING));
    expect(r.headers['cache-control']).toBe('no-cache');
  });

  it('serves a Microsoft 365 group as Graph does: Unified, mail-enabled, not security, Public, SMTP proxy address', async () => {
    const b = ok(await graph(m, app, `/v1.0/groups/${allCompany}?$select=groupTypes,mailEnabled,securityEnabled,mail,mailNickname,visibility,proxyAddresses`));
    expect(b).toEqual({
      '@odata.context': `${GRAPH}/v1.0/$metadata#groups(groupTypes,mailEnabled,securityEnabled,mail,mailNickname,visibility,proxyAddresses)/$entity`,
      groupTypes: ['Unified'],
      mailEnabled: true,
      securityEnabled: false,
      mail: 'allcompany@contoso.com',
      mailNickname: 'allcompany',
      visibility: 'Public',
      proxyAddresses: ['SMTP:allcompany@contoso.com'],
    });
  });

  it('serves $select with the context listing the properties as asked', async () => {
    const b = ok(await graph(m, app, '/v1.0/groups?$select=id,displayName'));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#groups(id,displayName)`);
    expect(values(b)).toEqual(
      [
        { id: engineering, displayName: 'Engineering' },
        { id: dataStewards, displayName: 'Data Stewards' },
        { id: allCompany, displayName: 'All Company' },
      ].sort((a, b2) => (a.id < b2.id ? -1 : 1)),
    );
  });

  it.each([
    [`groupTypes/any(c:c eq 'Unified')`, [allCompany]],
    [`securityEnabled eq true`, [engineering, dataStewards]],
    [`displayName eq 'data stewards'`, [dataStewards]],
    [`startswith(displayName,'All')`, [allCompany]],
    [`id in ('${engineering}', '${allCompany}')`, [engineering, allCompany]],
    [`mailEnabled eq false and startswith(displayName,'E')`, [engineering]],
    [`displayName eq 'Engineering' or groupTypes/any(c:c eq 'unified')`, [engineering, allCompany]],
    [`(securityEnabled eq true) and (displayName eq 'Nothing')`, []],
    [`mail eq 'ALLCOMPANY@contoso.com'`, [allCompany]],
  ])('filters %s', async (filter, expected) => {
    const b = ok(await graph(m, app, `/v1.0/groups?$select=id&$filter=${encodeURIComponent(filter)}`));
    expect(ids(b)).toEqual([...expected].sort());
  });

  it('accepts + for spaces in $filter, as form-encoded URLs send it', async () => {
    expect(ids(ok(await graph(m, app, "/v1.0/groups?$select=id&$filter=displayName+eq+'Engineering'")))).toEqual([engineering]);
  });

  it('applies ne, not and endsWith in advanced queries (ConsistencyLevel: eventual and $count=true)', async () => {
    const h = { headers: { ConsistencyLevel: 'eventual' } };
    const b = ok(await graph(m, app, `/v1.0/groups?$count=true&$select=id&$filter=${encodeURIComponent("displayName ne 'Engineering'")}`, h));
    expect(b['@odata.count']).toBe(2);
    expect(ids(b)).toEqual([dataStewards, allCompany].sort());
    expect(
      ids(ok(await graph(m, app, `/v1.0/groups?$count=true&$select=id&$filter=${encodeURIComponent("not groupTypes/any(c:c eq 'Unified')")}`, h))),
    ).toEqual([engineering, dataStewards].sort());
    expect(ids(ok(await graph(m, app, `/v1.0/groups?$count=true&$select=id&$filter=${encodeURIComponent("endswith(mail,'@contoso.com')")}`, h)))).toEqual([
      allCompany,
    ]);
  });

  it('orders by displayName', async () => {
    const names = values(ok(await graph(m, app, '/v1.0/groups?$orderby=displayName&$select=displayName'))).map((g) => g.displayName);
    expect(names).toEqual(['All Company', 'Data Stewards', 'Engineering']);
    expectGraphError(await graph(m, app, '/v1.0/groups?$orderby=createdDateTime'), 400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
    expectGraphError(
      await graph(m, app, `/v1.0/groups?$orderby=displayName&$filter=${encodeURIComponent('securityEnabled eq true')}`),
      400,
      'Request_UnsupportedQuery',
      'Sorting not supported for current query.',
    );
    const adv = ok(
      await graph(m, app, `/v1.0/groups?$count=true&$orderby=displayName desc&$select=displayName&$filter=${encodeURIComponent('securityEnabled eq true')}`, {
        headers: { ConsistencyLevel: 'eventual' },
      }),
    );
    expect(values(adv).map((g) => g.displayName)).toEqual(['Engineering', 'Data Stewards']);
  });

  it('searches display names by word prefix under ConsistencyLevel: eventual', async () => {
    const h = { headers: { ConsistencyLevel: 'eventual' } };
    expect(ids(ok(await graph(m, app, '/v1.0/groups?$search="displayName:stew"&$select=id', h)))).toEqual([dataStewards]);
    expect(ids(ok(await graph(m, app, '/v1.0/groups?$search="displayName:comp" OR "displayName:eng"&$select=id', h)))).toEqual(
      [engineering, allCompany].sort(),
    );
    expectGraphError(
      await graph(m, app, '/v1.0/groups?$search=stew', h),
      400,
      'Request_UnsupportedQuery',
      'Invalid $search query. Use "property:term" clauses joined by AND or OR.',
    );
  });

  it('counts: /groups/$count as text/plain and @odata.count with ConsistencyLevel: eventual; 400 without', async () => {
    const c = await graph(m, app, '/v1.0/groups/$count', { headers: { ConsistencyLevel: 'eventual' } });
    expect([c.statusCode, c.headers['content-type'], c.body]).toEqual([200, 'text/plain', '3']);
    const filtered = await graph(m, app, `/v1.0/groups/$count?$filter=${encodeURIComponent('securityEnabled eq true')}`, {
      headers: { consistencylevel: 'Eventual' },
    });
    expect(filtered.body).toBe('2');
    expectGraphError(await graph(m, app, '/v1.0/groups/$count'), 400, 'Request_BadRequest', '$count is not currently supported.');
    expectGraphError(await graph(m, app, '/v1.0/groups/%24count'), 400, 'Request_BadRequest', '$count is not currently supported.');
    expect(ok(await graph(m, app, '/v1.0/groups?$count=true'))).not.toHaveProperty('@odata.count');
  });

  it('is refused to a delegated token with User.Read only, allowed with GroupMember.Read.All', async () => {
    expectGraphError(
      await graph(m, await userToken(m), '/v1.0/groups'),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
    const tenant = await copyOfContoso(m, (f) => grantScopes(f, 'GroupMember.Read.All'));
    const t = await userToken(m, { tenant, scope: 'openid profile User.Read GroupMember.Read.All' });
    expect(ids(ok(await graph(m, t, '/v1.0/groups?$select=id')))).toEqual(ALL);
  });
});

describe('GET /v1.0/groups/{id}', () => {
  it('answers one group with @odata.context …#groups/$entity', async () => {
    const b = ok(await graph(m, app, `/v1.0/groups/${engineering}`));
    expect(b).toEqual({ '@odata.context': `${GRAPH}/v1.0/$metadata#groups/$entity`, ...ENGINEERING });
    expect(Object.keys(b)).toEqual(['@odata.context', ...Object.keys(ENGINEERING)]);
  });

  it('finds the group whatever the id’s case', async () => {
    expect(ok(await graph(m, app, `/v1.0/groups/${engineering.toUpperCase()}?$select=id`)).id).toBe(engineering);
  });

  it('answers 404 for an unknown id and 400 for an id that is not a GUID', async () => {
    const id = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    expectGraphError(
      await graph(m, app, `/v1.0/groups/${id}`),
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
    expectGraphError(await graph(m, app, '/v1.0/groups/Engineering'), 400, 'Request_BadRequest', "Invalid object identifier 'Engineering'.");
  });

  it('checks permissions before existence', async () => {
    expectGraphError(
      await graph(m, await userToken(m), '/v1.0/groups/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });
});
