import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, json, decodePart, authorize, BRIDGE_AUTH, tokenPath } from '../support/mock-app.js';
import type { Group, TenantFixture } from '../../src/directory/model.js';

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const ENGINEERING = CONTOSO.groups.engineering;
const STEWARDS = CONTOSO.groups.dataStewards;
const ALL_COMPANY = CONTOSO.groups.allCompany;
const MEMBER_ROLE = 'b79fbf4d-3ef9-4689-8143-76b194e85509';

let n = 0;
/** A copy of Contoso (new id and domain) changed by `change`; returns its id. */
async function tenant(change: (f: TenantFixture) => void): Promise<string> {
  n += 1;
  const base = json(await m.inject(`/_mock/tenants/${T}`)).fixture as TenantFixture;
  const id = `3c2b1a09-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const f: TenantFixture = { ...structuredClone(base), id, verifiedDomains: [`groups${n}.example.com`] };
  change(f);
  const r = await m.inject({ method: 'POST', url: '/_mock/tenants', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(f) });
  if (r.statusCode !== 201) throw new Error(r.body);
  return id;
}

const uuid = (i: number): string => `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, '0')}`;
const manyGroups = (count: number, member: string): Group[] =>
  Array.from({ length: count }, (_, i) => ({
    id: uuid(i + 1),
    displayName: `Team ${i + 1}`,
    groupTypes: [],
    securityEnabled: true,
    mailEnabled: false,
    members: [member],
  }));

async function bridgeIdToken(t: string, upn: string): Promise<Record<string, unknown>> {
  const a = await authorize(m, { ...BRIDGE_AUTH, login_hint: upn }, { tenant: t });
  const r = await m.form(tokenPath(t), {
    grant_type: 'authorization_code',
    client_id: CONTOSO.bridge.appId,
    client_secret: CONTOSO.bridge.secret,
    code: a.params.get('code')!,
    redirect_uri: CONTOSO.bridge.redirectUri,
  });
  const b = json(r);
  if (r.statusCode !== 200) throw new Error(r.body);
  return { ...decodePart(String(b.id_token), 1), __access: b.access_token };
}

const setClaims = (value: string | null) => (f: TenantFixture) => {
  f.applications!.find((a) => a.appId === CONTOSO.bridge.appId)!.groupMembershipClaims = value;
};

describe('groups claim from groupMembershipClaims', () => {
  it('SecurityGroup (the default bridge): security groups only, no wids, and no groups in the Graph access token', async () => {
    const adele = await bridgeIdToken(T, CONTOSO.users.adele.upn);
    expect(adele.groups).toEqual([ENGINEERING]);
    expect(adele).not.toHaveProperty('wids');
    expect(decodePart(String(adele.__access), 1)).not.toHaveProperty('groups');
    expect((await bridgeIdToken(T, CONTOSO.users.alex.upn)).groups).toEqual([ENGINEERING, STEWARDS]);
  });

  it('null or None: no groups claim at all (the PingOne guide’s step 13 skipped)', async () => {
    for (const v of [null, 'None']) {
      const t = await tenant(setClaims(v));
      const c = await bridgeIdToken(t, CONTOSO.users.adele.upn);
      expect(c).not.toHaveProperty('groups');
      expect(c).not.toHaveProperty('wids');
    }
  });

  it('All: every group, Microsoft 365 ones too, and wids with the member role', async () => {
    const t = await tenant(setClaims('All'));
    const c = await bridgeIdToken(t, CONTOSO.users.adele.upn);
    expect(c.groups).toEqual([ENGINEERING, ALL_COMPANY]);
    expect(c.wids).toEqual([MEMBER_ROLE]);
  });

  it('DirectoryRole alone: wids, no groups', async () => {
    const t = await tenant(setClaims('DirectoryRole'));
    const c = await bridgeIdToken(t, CONTOSO.users.adele.upn);
    expect(c.wids).toEqual([MEMBER_ROLE]);
    expect(c).not.toHaveProperty('groups');
  });

  it('counts nested groups transitively', async () => {
    const outer = uuid(900);
    const t = await tenant((f) => {
      f.groups!.push({ id: outer, displayName: 'R&D', groupTypes: [], securityEnabled: true, mailEnabled: false, members: [ENGINEERING] });
    });
    expect((await bridgeIdToken(t, CONTOSO.users.adele.upn)).groups).toEqual([ENGINEERING, outer]);
  });

  it('ApplicationGroup: only groups assigned to the app; cloud_displayname emits names; emit_as_roles moves them to roles', async () => {
    const t = await tenant((f) => {
      const app = f.applications!.find((a) => a.appId === CONTOSO.bridge.appId)!;
      app.groupMembershipClaims = 'ApplicationGroup';
      app.optionalClaims = { idToken: [{ name: 'groups', additionalProperties: ['cloud_displayname'] }] };
      f.appRoleAssignments!.push({
        principalId: STEWARDS,
        principalType: 'Group',
        resourceId: CONTOSO.bridge.appId,
        appRoleId: '00000000-0000-0000-0000-000000000000',
      });
    });
    expect((await bridgeIdToken(t, CONTOSO.users.alex.upn)).groups).toEqual(['Data Stewards']);
    expect(await bridgeIdToken(t, CONTOSO.users.adele.upn)).not.toHaveProperty('groups');

    const t2 = await tenant((f) => {
      f.applications!.find((a) => a.appId === CONTOSO.bridge.appId)!.optionalClaims = {
        idToken: [{ name: 'groups', additionalProperties: ['emit_as_roles'] }],
      };
    });
    const c = await bridgeIdToken(t2, CONTOSO.users.alex.upn);
    expect(c).not.toHaveProperty('groups');
    expect(c.roles).toEqual([ENGINEERING, STEWARDS]);
  });

  it('access tokens follow the resource’s manifest: the SPA’s API with SecurityGroup carries groups', async () => {
    const t = await tenant((f) => {
      f.applications!.find((a) => a.appId === CONTOSO.openMetadataUi.appId)!.groupMembershipClaims = 'SecurityGroup';
    });
    const a = await authorize(
      m,
      {
        client_id: CONTOSO.openMetadataUi.appId,
        redirect_uri: CONTOSO.openMetadataUi.redirectUri,
        response_type: 'id_token token',
        scope: `openid ${CONTOSO.openMetadataUi.scope}`,
        nonce: 'n',
        mock_login: 'auto',
        login_hint: CONTOSO.users.alex.upn,
      },
      { tenant: t },
    );
    expect(decodePart(a.params.get('access_token')!, 1).groups).toEqual([ENGINEERING, STEWARDS]);
  });
});

describe('overage', () => {
  it('puts Entra’s overage pointer in a JWT beyond 200 groups, and the pointer returns every group', async () => {
    const t = await tenant((f) => {
      f.groups!.push(...manyGroups(201, CONTOSO.users.megan.id));
    });
    const c = await bridgeIdToken(t, CONTOSO.users.megan.upn);
    expect(c).not.toHaveProperty('groups');
    const endpoint = `https://localhost:8443/${t}/users/${CONTOSO.users.megan.id}/getMemberObjects`;
    expect(c._claim_names).toEqual({ groups: 'src1' });
    expect(c._claim_sources).toEqual({ src1: { endpoint } });

    // Follow it with the user's own Graph token (delegated), as a relying party would.
    const r = await m.inject({
      method: 'POST',
      url: new URL(endpoint).pathname + '?api-version=1.6',
      headers: { authorization: `Bearer ${String(c.__access)}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ securityEnabledOnly: false }),
    });
    expect(r.statusCode).toBe(200);
    const body = json(r);
    expect(Object.keys(body)).toEqual(['odata.metadata', 'value']);
    expect(body['odata.metadata']).toBe(`https://localhost:8443/${t}/$metadata#Collection(Edm.String)`);
    expect((body.value as string[]).sort()).toEqual([STEWARDS, ...manyGroups(201, '').map((g) => g.id)].sort());
  });

  it('keeps exactly 200 groups in the claim', async () => {
    const t = await tenant((f) => {
      f.groups!.push(...manyGroups(199, CONTOSO.users.megan.id));
    });
    expect(((await bridgeIdToken(t, CONTOSO.users.megan.upn)).groups as string[]).length).toBe(200);
  });

  it('refuses the pointer to a caller who may not read someone else’s memberships', async () => {
    const adele = await bridgeIdToken(T, CONTOSO.users.adele.upn);
    const r = await m.inject({
      method: 'POST',
      url: `/${T}/users/${CONTOSO.users.alex.id}/getMemberObjects`,
      headers: { authorization: `Bearer ${String(adele.__access)}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ securityEnabledOnly: true }),
    });
    expect(r.statusCode).toBe(403);
    expect((json(r)['odata.error'] as { code: string }).code).toBe('Authorization_RequestDenied');
    const app = json(
      await m.form(tokenPath(), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.bridge.appId,
        client_secret: CONTOSO.bridge.secret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    );
    const ok = await m.inject({
      method: 'POST',
      url: `/${T}/users/${CONTOSO.users.alex.id}/getMemberObjects`,
      headers: { authorization: `Bearer ${String(app.access_token)}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ securityEnabledOnly: true }),
    });
    expect(json(ok).value).toEqual([ENGINEERING, STEWARDS]);
  });

  it('gives implicit-flow ID tokens hasgroups beyond 6 groups, and groups up to 6', async () => {
    for (const [count, expectHas] of [
      [7, true],
      [6, false],
    ] as const) {
      const t = await tenant((f) => {
        f.applications!.find((a) => a.appId === CONTOSO.openMetadataUi.appId)!.groupMembershipClaims = 'SecurityGroup';
        f.groups!.push(...manyGroups(count - 1, CONTOSO.users.megan.id));
      });
      const a = await authorize(
        m,
        {
          client_id: CONTOSO.openMetadataUi.appId,
          redirect_uri: CONTOSO.openMetadataUi.redirectUri,
          response_type: 'id_token',
          scope: 'openid profile',
          nonce: 'n',
          mock_login: 'auto',
          login_hint: CONTOSO.users.megan.upn,
        },
        { tenant: t },
      );
      const c = decodePart(a.params.get('id_token')!, 1);
      if (expectHas) {
        expect(c.hasgroups).toBe(true);
        expect(c).not.toHaveProperty('groups');
      } else {
        expect((c.groups as string[]).length).toBe(6);
        expect(c).not.toHaveProperty('hasgroups');
      }
    }
  });
});
