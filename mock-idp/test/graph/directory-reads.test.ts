import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableUuid } from '../../src/support/ids.js';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import {
  appToken,
  copyOfContoso,
  expectGraphError,
  fixtureOf,
  grantAppRoles,
  GRAPH,
  graph,
  ids,
  nextPath,
  ok,
  putFixture,
  userToken,
  values,
} from './graph-support.js';

/**
 * The reads sync tools make beyond users and groups: applications and service principals (and
 * their app role assignments), a group's owners, getByIds, $expand, users/delta.
 */
let m: TestMock;
let tenant: string;
/** Application.Read.All + Directory.Read.All + User.Read.All. */
let reader: string;
/** Group.Read.All only (Contoso's bridge). */
let groupsOnly: string;

const GRAPH_APP = '00000003-0000-0000-c000-000000000000';
const { bridge, openMetadataUi } = CONTOSO;
const { adele, alex, megan } = CONTOSO.users;
const spId = (appId: string): string => stableUuid(`sp:${tenant}:${appId}`);
const appObjectId = (appId: string): string => stableUuid(`app:${tenant}:${appId}`);

beforeAll(async () => {
  m = await mockApp();
  tenant = await copyOfContoso(m, (f) => {
    grantAppRoles(f, 'Application.Read.All', 'Directory.Read.All', 'User.Read.All');
    f.appRoleAssignments!.push({
      principalId: adele.id,
      principalType: 'User',
      resourceId: openMetadataUi.appId,
      appRoleId: '00000000-0000-0000-0000-000000000000',
    });
    const eng = f.groups!.find((g) => g.id === CONTOSO.groups.engineering)!;
    // An owner may be a service principal: the bridge's, by its (derived) object id.
    eng.owners = [alex.id, stableUuid(`sp:${f.id.toLowerCase()}:${bridge.appId}`)];
  });
  reader = await appToken(m, tenant);
  groupsOnly = await appToken(m);
});
afterAll(() => m.close());

describe('/applications', () => {
  it("lists the tenant's applications (not Microsoft Graph's) with Graph's properties, secrets never served", async () => {
    const b = ok(await graph(m, reader, '/v1.0/applications?$select=appId,displayName'));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#applications(appId,displayName)`);
    expect(
      values(b)
        .map((a) => a.displayName)
        .sort(),
    ).toEqual(['Identity Bridge', 'OpenMetadata Ingestion', 'OpenMetadata UI']);

    const one = ok(await graph(m, reader, `/v1.0/applications/${appObjectId(bridge.appId)}`));
    expect(one['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#applications/$entity`);
    expect(Object.keys(one).slice(0, 8)).toEqual([
      '@odata.context',
      'id',
      'deletedDateTime',
      'appId',
      'applicationTemplateId',
      'disabledByMicrosoftStatus',
      'createdDateTime',
      'displayName',
    ]);
    expect(one).toMatchObject({ id: appObjectId(bridge.appId), appId: bridge.appId, signInAudience: 'AzureADMyOrg', groupMembershipClaims: 'SecurityGroup' });
    expect(one.passwordCredentials).toEqual([
      {
        customKeyIdentifier: null,
        displayName: 'bridge-dev',
        endDateTime: '2099-12-31T23:59:59Z',
        hint: 'brg',
        keyId: bridge.secretKeyId,
        secretText: null,
        startDateTime: '2024-01-01T00:00:00Z',
      },
      {
        customKeyIdentifier: null,
        displayName: 'bridge-old',
        endDateTime: '2025-01-01T00:00:00Z',
        hint: 'brg',
        keyId: bridge.expiredSecretKeyId,
        secretText: null,
        startDateTime: '2023-01-01T00:00:00Z',
      },
    ]);
    expect(one.web).toEqual({
      homePageUrl: null,
      logoutUrl: null,
      redirectUris: [bridge.redirectUri],
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
    });
    expect(JSON.stringify(one)).not.toContain('Valid-Secret');
  });

  it('finds an application by appId (alternate key) and refuses an id that is not a GUID', async () => {
    const b = ok(await graph(m, reader, `/v1.0/applications(appId='${openMetadataUi.appId}')?$select=id,identifierUris`));
    expect(b).toEqual({
      '@odata.context': `${GRAPH}/v1.0/$metadata#applications(id,identifierUris)/$entity`,
      id: appObjectId(openMetadataUi.appId),
      identifierUris: [openMetadataUi.apiUri],
    });
    expectGraphError(await graph(m, reader, '/v1.0/applications/nope'), 400, 'Request_BadRequest', "Invalid object identifier 'nope'.");
    const missing = '0b9d1f2e-1111-4222-8333-944455556666';
    expectGraphError(
      await graph(m, reader, `/v1.0/applications/${missing}`),
      404,
      'Request_ResourceNotFound',
      `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`,
    );
  });

  it('needs Application.Read.All or Directory.Read.All: 403 otherwise', async () => {
    expectGraphError(
      await graph(m, groupsOnly, '/v1.0/applications'),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
    expectGraphError(
      await graph(m, groupsOnly, '/v1.0/servicePrincipals'),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });
});

describe('/servicePrincipals', () => {
  it("filters by appId: Microsoft Graph's own service principal, owned by Microsoft's tenant", async () => {
    const b = ok(
      await graph(
        m,
        reader,
        `/v1.0/servicePrincipals?$filter=appId eq '${GRAPH_APP}'&$select=id,appId,displayName,appOwnerOrganizationId,servicePrincipalType`,
      ),
    );
    expect(values(b)).toEqual([
      {
        id: spId(GRAPH_APP),
        appId: GRAPH_APP,
        displayName: 'Microsoft Graph',
        appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a',
        servicePrincipalType: 'Application',
      },
    ]);
    const byKey = ok(await graph(m, reader, `/v1.0/servicePrincipals(appId='${bridge.appId}')?$select=id,servicePrincipalNames,replyUrls`));
    expect(byKey).toEqual({
      '@odata.context': `${GRAPH}/v1.0/$metadata#servicePrincipals(id,servicePrincipalNames,replyUrls)/$entity`,
      id: spId(bridge.appId),
      servicePrincipalNames: [bridge.appId],
      replyUrls: [bridge.redirectUri],
    });
    const one = ok(await graph(m, reader, `/v1.0/servicePrincipals/${spId(openMetadataUi.appId)}`));
    expect(one).toMatchObject({ appId: openMetadataUi.appId, appOwnerOrganizationId: tenant, accountEnabled: true, appRoleAssignmentRequired: false });
    expect((one.oauth2PermissionScopes as Array<Record<string, unknown>>).map((s) => s.value)).toEqual(['access_as_user']);
  });

  it("lists who holds a resource's roles (appRoleAssignedTo) and a user's assignments", async () => {
    const to = ok(await graph(m, reader, `/v1.0/servicePrincipals/${spId(GRAPH_APP)}/appRoleAssignedTo`));
    expect(to['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#servicePrincipals('${spId(GRAPH_APP)}')/appRoleAssignedTo`);
    const roles = values(to).map((a) => [a.principalType, a.principalId, a.principalDisplayName, a.resourceId, a.resourceDisplayName, a.appRoleId]);
    expect(roles).toEqual(
      expect.arrayContaining([
        ['ServicePrincipal', spId(bridge.appId), 'Identity Bridge', spId(GRAPH_APP), 'Microsoft Graph', '5b567255-7703-4780-807c-7be8301ae99b'],
        ['ServicePrincipal', spId(bridge.appId), 'Identity Bridge', spId(GRAPH_APP), 'Microsoft Graph', '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30'],
      ]),
    );
    expect(roles).toHaveLength(4);
    const item = values(to)[0]!;
    expect(Object.keys(item)).toEqual([
      'id',
      'deletedDateTime',
      'appRoleId',
      'createdDateTime',
      'principalDisplayName',
      'principalId',
      'principalType',
      'resourceDisplayName',
      'resourceId',
    ]);
    expect(item.id).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const mine = ok(await graph(m, reader, `/v1.0/users/${adele.upn}/appRoleAssignments`));
    expect(mine['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#users('${adele.id}')/appRoleAssignments`);
    expect(values(mine).map((a) => [a.principalId, a.resourceId, a.resourceDisplayName, a.appRoleId])).toEqual([
      [adele.id, spId(openMetadataUi.appId), 'OpenMetadata UI', '00000000-0000-0000-0000-000000000000'],
    ]);
    // Adele reads her own with User.Read; Megan's are not hers to read.
    const t = await userToken(m, { tenant, scope: 'openid User.Read' });
    expect(values(ok(await graph(m, t, '/v1.0/me/appRoleAssignments')))).toHaveLength(1);
    expectGraphError(
      await graph(m, t, `/v1.0/users/${megan.id}/appRoleAssignments`),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });
});

describe('/groups/{id}/owners', () => {
  it('lists users and service principals as directoryObjects', async () => {
    const b = ok(await graph(m, reader, `/v1.0/groups/${CONTOSO.groups.engineering}/owners?$select=id,displayName`));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#directoryObjects(id,displayName)`);
    expect(values(b)).toEqual(
      [
        { '@odata.type': '#microsoft.graph.user', id: alex.id, displayName: 'Alex Wilber' },
        { '@odata.type': '#microsoft.graph.servicePrincipal', id: spId(bridge.appId), displayName: 'Identity Bridge' },
      ].sort((a, z) => (a.id < z.id ? -1 : 1)),
    );
    expect(values(ok(await graph(m, reader, `/v1.0/groups/${CONTOSO.groups.dataStewards}/owners`)))).toEqual([]);
  });
});

describe('POST /directoryObjects/getByIds', () => {
  it('returns the objects of the asked types, each with its @odata.type; unknown ids are left out', async () => {
    const body = { ids: [adele.id, CONTOSO.groups.engineering, spId(bridge.appId), '0b9d1f2e-1111-4222-8333-944455556666'] };
    const all = ok(await graph(m, reader, '/v1.0/directoryObjects/getByIds?$select=id,displayName', { body }));
    expect(all).toEqual({
      '@odata.context': `${GRAPH}/v1.0/$metadata#directoryObjects(id,displayName)`,
      value: [
        { '@odata.type': '#microsoft.graph.user', id: adele.id, displayName: 'Adele Vance' },
        { '@odata.type': '#microsoft.graph.group', id: CONTOSO.groups.engineering, displayName: 'Engineering' },
        { '@odata.type': '#microsoft.graph.servicePrincipal', id: spId(bridge.appId), displayName: 'Identity Bridge' },
      ],
    });
    const users = ok(await graph(m, reader, '/v1.0/directoryObjects/getByIds', { body: { ...body, types: ['user'] } }));
    expect(ids(users)).toEqual([adele.id]);
    expect(Object.keys(values(users)[0]!)).toEqual([
      '@odata.type',
      'businessPhones',
      'displayName',
      'givenName',
      'jobTitle',
      'mail',
      'mobilePhone',
      'officeLocation',
      'preferredLanguage',
      'surname',
      'userPrincipalName',
      'id',
    ]);
  });

  it('refuses more than 1000 ids, ids that are not GUIDs, and callers without Directory.Read.All', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expectGraphError(
      await graph(m, reader, '/v1.0/directoryObjects/getByIds', { body: { ids: many } }),
      400,
      'Request_BadRequest',
      'The number of ids specified exceeds the maximum of 1000.',
    );
    expect(values(ok(await graph(m, reader, '/v1.0/directoryObjects/getByIds', { body: { ids: many.slice(0, 1000) } })))).toEqual([]);
    expectGraphError(
      await graph(m, reader, '/v1.0/directoryObjects/getByIds', { body: { ids: ['x'] } }),
      400,
      'Request_BadRequest',
      "Invalid object identifier 'x'.",
    );
    expectGraphError(
      await graph(m, reader, '/v1.0/directoryObjects/getByIds', { body: { ids: 'x' } }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'ids' of resource 'DirectoryObject'.",
    );
    expectGraphError(
      await graph(m, groupsOnly, '/v1.0/directoryObjects/getByIds', { body: { ids: [adele.id] } }),
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  });
});

describe('$expand', () => {
  it('expands members (at most 20, typed, with $select inside the parentheses)', async () => {
    const big = await copyOfContoso(m, (f) => {
      grantAppRoles(f, 'User.Read.All');
      for (let i = 0; i < 25; i++)
        f.users!.push({
          id: `0000000${i % 10}-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
          userPrincipalName: `bulk${i}@${f.verifiedDomains[0]}`,
          displayName: `Bulk ${i}`,
        });
      f.groups!.find((g) => g.id === CONTOSO.groups.allCompany)!.members = f.users!.map((u) => u.id);
    });
    const t = await appToken(m, big);
    const b = ok(await graph(m, t, `/v1.0/groups/${CONTOSO.groups.allCompany}?$select=id,displayName&$expand=members($select=id,displayName)`));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#groups(id,displayName,members(id,displayName))/$entity`);
    const members = b.members as Array<Record<string, unknown>>;
    expect(members).toHaveLength(20);
    expect(Object.keys(b)).toEqual(['@odata.context', 'id', 'displayName', 'members']);
    expect(members[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: '00000000-0000-4000-8000-000000000000', displayName: 'Bulk 0' });
    expect(b['@odata.nextLink']).toBeUndefined();

    const list = ok(await graph(m, t, '/v1.0/groups?$select=displayName&$expand=members'));
    expect(list['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#groups(displayName,members())`);
    for (const g of values(list)) expect((g.members as unknown[]).length).toBeLessThanOrEqual(20);
  });

  it("expands a user's memberOf", async () => {
    const b = ok(await graph(m, reader, `/v1.0/users/${adele.id}?$select=id&$expand=memberOf($select=id)`));
    expect(b.memberOf).toEqual([CONTOSO.groups.engineering, CONTOSO.groups.allCompany].sort().map((id) => ({ '@odata.type': '#microsoft.graph.group', id })));
  });

  it('refuses what the type does not have, in ODataLib’s words', async () => {
    expectGraphError(
      await graph(m, reader, '/v1.0/users?$expand=friends'),
      400,
      'BadRequest',
      "Could not find a property named 'friends' on type 'microsoft.graph.user'.",
    );
    expectGraphError(
      await graph(m, reader, `/v1.0/groups/${CONTOSO.groups.engineering}?$expand=members($select=nosuch)`),
      400,
      'BadRequest',
      "Could not find a property named 'nosuch' on type 'microsoft.graph.directoryObject'.",
    );
    // Relationships hold no $expand in the mock (members of members).
    expectGraphError(
      await graph(m, reader, `/v1.0/groups/${CONTOSO.groups.engineering}/members?$expand=memberOf`),
      501,
      'NotImplemented',
      'mock-entra does not implement $expand.',
    );
  });
});

describe('/users/delta', () => {
  it('pages every user, hands out a deltaLink, then returns the changed users and the removed ones', async () => {
    const t2 = await copyOfContoso(m, (f) => grantAppRoles(f, 'User.Read.All'));
    const t = await appToken(m, t2);
    let b = ok(await graph(m, t, '/v1.0/users/delta?$select=displayName,jobTitle'));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#users(displayName,jobTitle)`);
    const first: Array<Record<string, unknown>> = [];
    for (;;) {
      first.push(...values(b));
      const next = nextPath(b);
      if (!next) break;
      b = ok(await graph(m, t, next));
    }
    const fixture = await fixtureOf(m, t2);
    expect(first.map((u) => u.id).sort()).toEqual(fixture.users!.map((u) => u.id).sort());
    expect(Object.keys(first[0]!)).toEqual(['displayName', 'jobTitle', 'id']);
    const deltaLink = String(b['@odata.deltaLink']);
    expect(deltaLink).toMatch(/^https:\/\/localhost:8443\/v1\.0\/users\/delta\?\$deltatoken=[A-Za-z0-9_-]+$/);

    // No change: nothing.
    const same = ok(await graph(m, t, deltaLink.replace(GRAPH, '')));
    expect(values(same)).toEqual([]);

    fixture.users!.find((u) => u.id === alex.id)!.jobTitle = 'Chief Delta Officer';
    fixture.users = fixture.users!.filter((u) => u.id !== megan.id);
    for (const g of fixture.groups!) g.members = g.members?.filter((x) => x !== megan.id);
    await putFixture(m, t2, fixture);
    const changed = ok(await graph(m, t, String(same['@odata.deltaLink']).replace(GRAPH, '')));
    expect(values(changed)).toEqual(
      [
        { displayName: 'Alex Wilber', jobTitle: 'Chief Delta Officer', id: alex.id },
        { id: megan.id, '@removed': { reason: 'changed' } },
      ].sort((a, z) => (a.id < z.id ? -1 : 1)),
    );
    expect(changed['@odata.deltaLink']).toBeDefined();
  });

  it('starts from now with $deltatoken=latest and refuses tokens it did not issue', async () => {
    const b = ok(await graph(m, reader, '/v1.0/users/delta?$deltatoken=latest'));
    expect(values(b)).toEqual([]);
    expect(String(b['@odata.deltaLink'])).toMatch(/\/v1\.0\/users\/delta\?\$deltatoken=/);
    expectGraphError(await graph(m, reader, '/v1.0/users/delta?$deltatoken=bogus'), 400, 'Request_BadRequest', 'Invalid delta token.');
    expectGraphError(await graph(m, groupsOnly, '/v1.0/users/delta'), 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  });
});
