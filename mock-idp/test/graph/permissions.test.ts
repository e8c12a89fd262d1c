import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, json, mockApp, type TestMock } from '../support/mock-app.js';
import { appToken, claimsOf, copyOfContoso, expectGraphError, graph, grantAppRoles, ok, userToken } from './graph-support.js';

/**
 * Permission outcomes, as Graph's permission tables decide them (docs/entra-wire.md §8.1): delegated
 * tokens by `scp`, app-only tokens by `roles` — and application permissions count only once an
 * administrator consented, which is the PingOne guide's failure when step 11.7 is skipped.
 */
let m: TestMock;
const FORBIDDEN = ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'] as const;
const { engineering } = CONTOSO.groups;

beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

describe('a delegated token with User.Read only (the bridge’s sign-in)', () => {
  let token: string;
  beforeAll(async () => {
    token = await userToken(m);
  });

  it('carries scp "email openid profile User.Read"', () => {
    expect(claimsOf(token).scp).toBe('email openid profile User.Read');
  });

  it('reads /me and /me/transitiveMemberOf', async () => {
    expect(ok(await graph(m, token, '/v1.0/me')).id).toBe(CONTOSO.users.adele.id);
    expect(ok(await graph(m, token, '/v1.0/me/transitiveMemberOf')).value).toHaveLength(2);
  });

  it.each([
    '/v1.0/groups',
    `/v1.0/groups/${engineering}`,
    `/v1.0/groups/${engineering}/members`,
    '/v1.0/users',
    '/v1.0/groups/delta',
    `/v1.0/users/${CONTOSO.users.alex.id}`,
  ])('is refused %s with 403', async (url) => {
    expectGraphError(await graph(m, token, url), 403, ...FORBIDDEN);
  });
});

describe('the bridge’s app-only token (Group.Read.All, admin-consented)', () => {
  let token: string;
  beforeAll(async () => {
    token = await appToken(m);
  });

  it('carries roles ["Group.Read.All"]', () => {
    expect(claimsOf(token).roles).toEqual(['Group.Read.All']);
  });

  it.each([
    '/v1.0/groups',
    `/v1.0/groups/${engineering}`,
    `/v1.0/groups/${engineering}/members`,
    `/v1.0/groups/${engineering}/transitiveMembers`,
    '/v1.0/groups/delta',
    `/v1.0/users/${CONTOSO.users.adele.id}/transitiveMemberOf`,
  ])('reads %s', async (url) => {
    ok(await graph(m, token, url));
  });

  it('is refused /users (needs User.Read.All) and /users/{id}', async () => {
    expectGraphError(await graph(m, token, '/v1.0/users'), 403, ...FORBIDDEN);
    expectGraphError(await graph(m, token, `/v1.0/users/${CONTOSO.users.adele.id}`), 403, ...FORBIDDEN);
  });

  it('gets 400 on /me', async () => {
    expectGraphError(await graph(m, token, '/v1.0/me'), 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  });
});

describe('the PingOne failure: Group.Read.All requested but never admin-consented', () => {
  it('gives a token without roles, and 403 on /groups', async () => {
    const tenant = await copyOfContoso(m);
    // The app registration still requests Group.Read.All (requiredResourceAccess); only the consent goes.
    const p = await m.inject({
      method: 'PATCH',
      url: `/_mock/tenants/${tenant}/fixture`,
      payload: JSON.stringify([{ op: 'replace', path: '/appRoleAssignments', value: [] }]),
      headers: { 'content-type': 'application/json-patch+json' },
    });
    expect(p.statusCode, p.body).toBe(200);
    const fixture = json(await m.inject(`/_mock/tenants/${tenant}`)).fixture as {
      applications: Array<{ appId: string; requiredResourceAccess: Array<{ resourceAccess: Array<{ type: string }> }> }>;
    };
    expect(fixture.applications.find((a) => a.appId === CONTOSO.bridge.appId)!.requiredResourceAccess[0]!.resourceAccess.some((r) => r.type === 'Role')).toBe(
      true,
    );

    const token = await appToken(m, tenant);
    const claims = claimsOf(token);
    expect(claims).not.toHaveProperty('roles');
    expect(claims.idtyp).toBe('app');
    expectGraphError(await graph(m, token, '/v1.0/groups'), 403, ...FORBIDDEN);
    expectGraphError(await graph(m, token, `/v1.0/groups/${engineering}/members`), 403, ...FORBIDDEN);

    // Granting admin consent again (step 11.7) fixes it.
    const fixed = await copyOfContoso(m, (f) => {
      f.appRoleAssignments = [];
      grantAppRoles(f, 'Group.Read.All');
    });
    ok(await graph(m, await appToken(m, fixed), '/v1.0/groups'));
  });
});

describe('GroupMember.Read.All (application) and Directory.Read.All (application)', () => {
  it('GroupMember.Read.All reads groups and members; Directory.Read.All reads users too', async () => {
    const gm = await copyOfContoso(m, (f) => {
      f.appRoleAssignments = [];
      grantAppRoles(f, 'GroupMember.Read.All');
    });
    const gmToken = await appToken(m, gm);
    ok(await graph(m, gmToken, '/v1.0/groups'));
    ok(await graph(m, gmToken, `/v1.0/groups/${engineering}/members`));
    expectGraphError(await graph(m, gmToken, '/v1.0/users'), 403, ...FORBIDDEN);

    const dir = await copyOfContoso(m, (f) => {
      f.appRoleAssignments = [];
      grantAppRoles(f, 'Directory.Read.All');
    });
    const dirToken = await appToken(m, dir);
    ok(await graph(m, dirToken, '/v1.0/users'));
    const members = ok(await graph(m, dirToken, `/v1.0/groups/${engineering}/members?$select=id,displayName`)).value as Array<{ displayName: string }>;
    expect(members.map((u) => u.displayName).sort()).toEqual(['Adele Vance', 'Alex Wilber']);
  });
});
