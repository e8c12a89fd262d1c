import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import {
  appToken,
  copyOfContoso,
  expectGraphError,
  graph,
  GRAPH,
  grantAppRoles,
  grantScopes,
  NESTED,
  ok,
  sorted,
  userToken,
  withNesting,
} from './graph-support.js';

let m: TestMock;
let tenant: string;
let userRead: string;
let groupMember: string;
let groupApp: string;
let userGroupApp: string;

const { adele, alex } = CONTOSO.users;
const { engineering, allCompany, dataStewards } = CONTOSO.groups;
const COLLECTION = `${GRAPH}/v1.0/$metadata#Collection(Edm.String)`;
const FORBIDDEN = ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'] as const;

beforeAll(async () => {
  m = await mockApp();
  tenant = await copyOfContoso(m, (f) => {
    withNesting(f);
    grantScopes(f, 'GroupMember.Read.All');
  });
  const withUsers = await copyOfContoso(m, (f) => {
    withNesting(f);
    grantAppRoles(f, 'User.Read.All');
  });
  // Entra puts every consented scope in the token: User.Read alone needs a tenant that consented nothing more.
  userRead = await userToken(m, { tenant: await copyOfContoso(m, withNesting) });
  groupMember = await userToken(m, { tenant, scope: 'openid profile User.Read GroupMember.Read.All' });
  groupApp = await appToken(m, tenant);
  userGroupApp = await appToken(m, withUsers);
});
afterAll(() => m.close());

const post = (token: string, path: string, body: unknown) => graph(m, token, path, { body });

describe('POST getMemberGroups / getMemberObjects', () => {
  it('refuses User.Read alone on /me (microsoft-graph-docs-contrib#8196)', async () => {
    const r = await post(userRead, '/v1.0/me/getMemberGroups', { securityEnabledOnly: true });
    expectGraphError(r, 403, ...FORBIDDEN);
  });

  it('securityEnabledOnly true: security groups reached through security groups only', async () => {
    for (const action of ['getMemberGroups', 'getMemberObjects']) {
      const b = ok(await post(groupMember, `/v1.0/me/${action}`, { securityEnabledOnly: true }));
      expect(b).toEqual({ '@odata.context': COLLECTION, value: sorted([engineering, NESTED.platform]) });
    }
  });

  it('securityEnabledOnly false: every group, transitively', async () => {
    const b = ok(await post(groupMember, '/v1.0/me/getMemberGroups', { securityEnabledOnly: false }));
    expect(b.value).toEqual(sorted([engineering, allCompany, NESTED.platform, NESTED.everyone, NESTED.secureOuter]));
  });

  it('on /users/{id}: needs a user-reading and a group-reading application permission', async () => {
    expectGraphError(await post(groupApp, `/v1.0/users/${alex.id}/getMemberGroups`, { securityEnabledOnly: true }), 403, ...FORBIDDEN);
    const b = ok(await post(userGroupApp, `/v1.0/users/${alex.upn}/getMemberGroups`, { securityEnabledOnly: true }));
    expect(b.value).toEqual(sorted([engineering, dataStewards, NESTED.platform]));
  });

  it('on /groups/{id}: securityEnabledOnly must be false', async () => {
    expect(ok(await post(groupApp, `/v1.0/groups/${engineering}/getMemberGroups`, { securityEnabledOnly: false })).value).toEqual(
      sorted([NESTED.platform, NESTED.everyone, NESTED.secureOuter]),
    );
    expectGraphError(
      await post(groupApp, `/v1.0/groups/${engineering}/getMemberGroups`, { securityEnabledOnly: true }),
      400,
      'Request_BadRequest',
      'To get security groups, the member must be a user.',
    );
  });

  it('refuses bodies Graph refuses', async () => {
    const url = '/v1.0/me/getMemberGroups';
    expectGraphError(await graph(m, groupMember, url, { method: 'POST' }), 400, 'BadRequest', 'Empty Payload. JSON content expected.');
    expectGraphError(
      await graph(m, groupMember, url, { rawBody: '{"securityEnabledOnly": tru' }),
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
    expectGraphError(
      await graph(m, groupMember, url, { rawBody: 'securityEnabledOnly=true', contentType: 'text/plain' }),
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
    expectGraphError(
      await post(groupMember, url, {}),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'securityEnabledOnly' of resource 'Object'.",
    );
    expectGraphError(
      await post(groupMember, url, { securityEnabledOnly: 'true' }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'securityEnabledOnly' of resource 'Object'.",
    );
    expectGraphError(
      await post(groupMember, url, { securityEnabledOnly: true, extra: 1 }),
      400,
      'BadRequest',
      "The parameter 'extra' in the request payload is not a valid parameter for the operation 'getMemberGroups'.",
    );
  });

  it('answers GET with 405', async () => {
    expectGraphError(
      await graph(m, groupMember, '/v1.0/me/getMemberGroups'),
      405,
      'Request_BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
  });

  it('answers 404 for an unknown user', async () => {
    const id = '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';
    expectGraphError(
      await post(userGroupApp, `/v1.0/users/${id}/getMemberObjects`, { securityEnabledOnly: false }),
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  });
});

describe('POST checkMemberGroups', () => {
  it('returns the listed groups the object is in, transitively', async () => {
    const ask = [NESTED.secureOuter, dataStewards, engineering.toUpperCase(), allCompany];
    const b = ok(await post(groupMember, '/v1.0/me/checkMemberGroups', { groupIds: ask }));
    expect(b).toEqual({ '@odata.context': COLLECTION, value: [NESTED.secureOuter, engineering, allCompany] });
    expect(ok(await post(groupApp, `/v1.0/groups/${engineering}/checkMemberGroups`, { groupIds: [NESTED.everyone, allCompany] })).value).toEqual([
      NESTED.everyone,
    ]);
  });

  it('refuses more than 20 ids, ids that are not GUIDs, and a missing list', async () => {
    const many = Array.from({ length: 21 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expectGraphError(
      await post(groupMember, '/v1.0/me/checkMemberGroups', { groupIds: many }),
      400,
      'Request_BadRequest',
      'The number of groupIds specified exceeds the maximum of 20.',
    );
    expectGraphError(
      await post(groupMember, '/v1.0/me/checkMemberGroups', { groupIds: ['Engineering'] }),
      400,
      'Request_BadRequest',
      "Invalid object identifier 'Engineering'.",
    );
    expectGraphError(
      await post(groupMember, '/v1.0/me/checkMemberGroups', {}),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'groupIds' of resource 'Object'.",
    );
  });

  it('checks for another user with the application permissions', async () => {
    expect(ok(await post(userGroupApp, `/v1.0/users/${adele.id}/checkMemberGroups`, { groupIds: [dataStewards, NESTED.platform] })).value).toEqual([
      NESTED.platform,
    ]);
  });
});
