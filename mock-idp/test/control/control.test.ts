import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, json, tokenPath, bridgeCode, bridgeRedeem, authorize, BRIDGE_AUTH } from '../support/mock-app.js';
import type { TenantFixture } from '../../src/directory/model.js';

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const ctl = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, remoteAddress?: string) =>
  m.inject({
    method,
    url,
    ...(remoteAddress ? { remoteAddress } : {}),
    ...(body !== undefined
      ? { payload: JSON.stringify(body), headers: { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' } }
      : {}),
  });

let n = 0;
async function copyOfContoso(): Promise<string> {
  n += 1;
  const base = json(await ctl('GET', `/_mock/tenants/${T}`)).fixture as TenantFixture;
  const id = `9a1b2c3d-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const r = await ctl('POST', '/_mock/tenants', { ...base, id, verifiedDomains: [`copy${n}.example.com`] });
  expect(r.statusCode, r.body).toBe(201);
  return id;
}

describe('test-control API', () => {
  it('creates, lists and deletes tenants; the new tenant serves discovery', async () => {
    const id = await copyOfContoso();
    expect((json(await ctl('GET', '/_mock/tenants')).tenants as Array<{ id: string }>).map((t) => t.id)).toContain(id);
    expect((await m.inject(`/${id}/v2.0/.well-known/openid-configuration`)).statusCode).toBe(200);
    expect((await m.inject(`/copy${n}.example.com/v2.0/.well-known/openid-configuration`)).statusCode).toBe(200);
    // Segments resolved before (and remembered) follow a change of domains and a deletion.
    const domain = `copy${n}.example.com`;
    expect((await ctl('PATCH', `/_mock/tenants/${id}/fixture`, [{ op: 'replace', path: '/verifiedDomains/0', value: `renamed-${domain}` }])).statusCode).toBe(
      200,
    );
    expect(json(await m.inject(`/${domain}/v2.0/.well-known/openid-configuration`)).error_codes).toEqual([90002]);
    expect((await m.inject(`/renamed-${domain}/v2.0/.well-known/openid-configuration`)).statusCode).toBe(200);
    expect((await ctl('DELETE', `/_mock/tenants/${id}`)).statusCode).toBe(204);
    expect(json(await m.inject(`/${id}/v2.0/.well-known/openid-configuration`)).error_codes).toEqual([90002]);
    expect(json(await m.inject(`/renamed-${domain}/v2.0/.well-known/openid-configuration`)).error_codes).toEqual([90002]);
  });

  it('refuses an invalid fixture with every issue, and a duplicate tenant with 409', async () => {
    const bad = await ctl('POST', '/_mock/tenants', { id: 'nope', displayName: 'x', verifiedDomains: [], users: [{ id: 'x' }] });
    expect(bad.statusCode).toBe(400);
    const err = json(bad).error as { code: string; issues: unknown[] };
    expect(err.code).toBe('InvalidFixture');
    expect(err.issues.length).toBeGreaterThan(1);
    const base = json(await ctl('GET', `/_mock/tenants/${T}`)).fixture;
    expect((await ctl('POST', '/_mock/tenants', base)).statusCode).toBe(409);
  });

  it('expires a secret by JSON Patch: the bridge then gets AADSTS7000222', async () => {
    const id = await copyOfContoso();
    const p = await ctl('PATCH', `/_mock/tenants/${id}/fixture`, [
      { op: 'replace', path: '/applications/0/passwordCredentials/0/endDateTime', value: '2025-06-01T00:00:00Z' },
    ]);
    expect(p.statusCode, p.body).toBe(200);
    const r = await m.form(tokenPath(id), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(json(r).error_codes).toEqual([7000222]);
    // Reset brings the fixture back.
    expect((await ctl('POST', `/_mock/tenants/${id}/reset`)).statusCode).toBe(204);
    const ok = await m.form(tokenPath(id), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(ok.statusCode).toBe(200);
  });

  it('refuses a patch that breaks the fixture and keeps the tenant as it was', async () => {
    const id = await copyOfContoso();
    const r = await ctl('PATCH', `/_mock/tenants/${id}/fixture`, [{ op: 'replace', path: '/users/0/id', value: 'not-a-guid' }]);
    expect(r.statusCode).toBe(400);
    expect((await ctl('PATCH', `/_mock/tenants/${id}/fixture`, [{ op: 'remove', path: '/nothing/here' }])).statusCode).toBe(400);
    expect((json(await ctl('GET', `/_mock/tenants/${id}`)).fixture as TenantFixture).users![0]!.id).toBe(CONTOSO.users.adele.id);
  });

  it('moves the tenant clock: a code redeemed 11 minutes later is expired (AADSTS70008), only in that tenant', async () => {
    const id = await copyOfContoso();
    const code = (await authorize(m, BRIDGE_AUTH, { tenant: id })).params.get('code')!;
    const adv = await ctl('POST', `/_mock/tenants/${id}/clock/advance`, { seconds: 660 });
    expect(json(adv).offsetMs).toBe(660_000);
    const r = await m.form(tokenPath(id), {
      grant_type: 'authorization_code',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      code,
      redirect_uri: CONTOSO.bridge.redirectUri,
    });
    expect(json(r).error_codes).toEqual([70008]);
    // The default tenant's clock did not move.
    expect((await bridgeRedeem(m, await bridgeCode(m))).statusCode).toBe(200);
    const set = await ctl('PUT', `/_mock/tenants/${id}/clock`, { now: '2030-01-01T00:00:00Z' });
    expect(json(set).now).toMatch(/^2030-01-01T00:00:0/);
  });

  it('rotates a tenant’s signing keys; the old key stays published until it retires', async () => {
    const id = await copyOfContoso();
    const before = (json(await m.inject(`/${id}/discovery/v2.0/keys`)).keys as Array<{ kid: string }>).map((k) => k.kid);
    const rot = json(await ctl('POST', `/_mock/tenants/${id}/keys/rotate`, { retireAfterSeconds: 60 }));
    expect(rot.previousKid).toBe(before[0]);
    const after = (json(await m.inject(`/${id}/discovery/v2.0/keys`)).keys as Array<{ kid: string }>).map((k) => k.kid);
    expect(after).toEqual([rot.kid, before[0]]);
    await ctl('POST', `/_mock/tenants/${id}/clock/advance`, { seconds: 61 });
    expect((json(await m.inject(`/${id}/discovery/v2.0/keys`)).keys as Array<{ kid: string }>).map((k) => k.kid)).toEqual([rot.kid]);
    const tok = json(
      await m.form(tokenPath(id), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.ingestion.appId,
        client_secret: CONTOSO.ingestion.secret,
        scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
      }),
    );
    expect(JSON.parse(Buffer.from(String(tok.access_token).split('.')[0]!, 'base64url').toString()).kid).toBe(rot.kid);
  });

  it('refuses a retirement beyond the clock range, and the console still shows a tenant whose key retires at its end', async () => {
    const id = await copyOfContoso();
    // 1e13 s from now is past year 9999: the console once answered 500 writing it out (found by fuzz-control).
    const far = await ctl('POST', `/_mock/tenants/${id}/keys/rotate`, { retireAfterSeconds: 1e13 });
    expect(far.statusCode).toBe(400);
    expect(json(far)).toEqual({
      error: {
        code: 'BadRequest',
        message:
          "retireAfterSeconds must keep the retirement within the clock's range. The clock must stay between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.",
      },
    });
    const toEnd = Math.floor((Date.UTC(9999, 11, 31, 23, 59, 59) - Date.now()) / 1000) - 60;
    expect((await ctl('POST', `/_mock/tenants/${id}/keys/rotate`, { retireAfterSeconds: toEnd })).statusCode).toBe(200);
    const page = await m.inject(`/_mock/ui/tenants/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/9999-12-31T23:5\d:\d\d\.\d{3}Z/);
  });

  it('keeps a request log per tenant with outcomes and AADSTS codes, secrets masked', async () => {
    const id = await copyOfContoso();
    await m.form(tokenPath(id), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.bridge.appId,
      client_secret: 'wrong',
      scope: 'https://graph.microsoft.com/.default',
    });
    await m.inject(`/${id}/v2.0/.well-known/openid-configuration?client_secret=shh`);
    const log = json(await ctl('GET', `/_mock/tenants/${id}/requests`)).requests as Array<Record<string, unknown>>;
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      method: 'POST',
      endpoint: 'token.v2',
      status: 401,
      flow: 'client_credentials',
      clientId: CONTOSO.bridge.appId,
      aadsts: 7000215,
      error: 'invalid_client',
    });
    expect(log[1]).toMatchObject({ endpoint: 'discovery.v2', status: 200, url: `/${id}/v2.0/.well-known/openid-configuration?client_secret=***` });
    // The default tenant's log does not see them.
    const other = json(await ctl('GET', `/_mock/tenants/${T}/requests`)).requests as Array<{ url: string }>;
    expect(other.some((e) => e.url.includes(id))).toBe(false);
  });

  it('revokes a user’s sessions: their refresh tokens stop working (AADSTS50173)', async () => {
    const id = await copyOfContoso();
    const code = (await authorize(m, BRIDGE_AUTH, { tenant: id })).params.get('code')!;
    const first = json(
      await m.form(tokenPath(id), {
        grant_type: 'authorization_code',
        client_id: CONTOSO.bridge.appId,
        client_secret: CONTOSO.bridge.secret,
        code,
        redirect_uri: CONTOSO.bridge.redirectUri,
      }),
    );
    await ctl('POST', `/_mock/tenants/${id}/clock/advance`, { seconds: 1 });
    expect((await ctl('POST', `/_mock/tenants/${id}/users/${CONTOSO.users.adele.upn}/revoke-sessions`)).statusCode).toBe(200);
    const r = await m.form(tokenPath(id), {
      grant_type: 'refresh_token',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      refresh_token: String(first.refresh_token),
    });
    expect(json(r).error_codes).toEqual([50173]);
  });

  it('answers loopback callers only', async () => {
    const r = await ctl('GET', '/_mock/tenants', undefined, '10.1.2.3');
    expect(r.statusCode).toBe(403);
    expect((json(r).error as { code: string }).code).toBe('Forbidden');
  });
});
