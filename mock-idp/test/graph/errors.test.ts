import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, json, mockApp, T, tokenPath, type TestMock } from '../support/mock-app.js';
import { appToken, copyOfContoso, expectGraphError, graph, userToken } from './graph-support.js';

/** Graph's refusals on the wire: 401s with WWW-Authenticate, unknown paths, the request log. */
let m: TestMock;
let app: string;

beforeAll(async () => {
  m = await mockApp();
  app = await appToken(m);
});
afterAll(() => m.close());

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

describe('401 InvalidAuthenticationToken', () => {
  it.each([
    ['no token', undefined, 'Access token is empty.'],
    ['a token that is not a JWT', 'not-a-jwt', 'CompactToken parsing failed with error code: 80049217'],
  ])('%s', async (_what, token, message) => {
    for (const url of ['/v1.0/groups', '/v1.0/me', `/v1.0/groups/${CONTOSO.groups.engineering}/members`, '/v1.0/groups/delta']) {
      const r = await graph(m, token, url);
      expectGraphError(r, 401, 'InvalidAuthenticationToken', message);
      expect(r.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
    }
  });

  it('a token for another API (audience)', async () => {
    const other = json(
      await m.form(tokenPath(), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.ingestion.appId,
        client_secret: CONTOSO.ingestion.secret,
        scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
      }),
    );
    const r = await graph(m, String(other.access_token), '/v1.0/groups');
    // Such a token is not signed the way Graph tokens are (no header nonce), so the signature check refuses it first.
    expectGraphError(r, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    expect(r.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
  });

  it('an expired token (the tenant clock moved past exp), even one verified before', async () => {
    const tenant = await copyOfContoso(m);
    const token = await appToken(m, tenant);
    expect((await graph(m, token, '/v1.0/groups')).statusCode).toBe(200);
    await m.inject({
      method: 'POST',
      url: `/_mock/tenants/${tenant}/clock/advance`,
      payload: JSON.stringify({ seconds: 2 * 3600 }),
      headers: { 'content-type': 'application/json' },
    });
    expectGraphError(await graph(m, token, '/v1.0/groups'), 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
  });

  it('a token whose signing key was rotated out', async () => {
    const tenant = await copyOfContoso(m);
    const token = await appToken(m, tenant);
    expect((await graph(m, token, '/v1.0/groups')).statusCode).toBe(200);
    await m.inject({
      method: 'POST',
      url: `/_mock/tenants/${tenant}/keys/rotate`,
      payload: JSON.stringify({ retireAfterSeconds: 0 }),
      headers: { 'content-type': 'application/json' },
    });
    expectGraphError(await graph(m, token, '/v1.0/groups'), 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
  });

  it('a token of a tenant that was deleted', async () => {
    const tenant = await copyOfContoso(m);
    const token = await appToken(m, tenant);
    expect((await graph(m, token, '/v1.0/groups')).statusCode).toBe(200);
    await m.inject({ method: 'DELETE', url: `/_mock/tenants/${tenant}` });
    expectGraphError(await graph(m, token, '/v1.0/groups'), 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
  });
});

describe('paths Graph does not have, and writes the mock does not do', () => {
  it('answers an unknown segment with 400 "Resource not found for the segment"', async () => {
    expectGraphError(await graph(m, app, '/v1.0/widgets'), 400, 'BadRequest', "Resource not found for the segment 'widgets'.");
    expectGraphError(
      await graph(m, app, `/v1.0/groups/${CONTOSO.groups.engineering}/colleagues`),
      400,
      'BadRequest',
      "Resource not found for the segment 'colleagues'.",
    );
  });

  it('says plainly what Graph has and the mock does not serve', async () => {
    expectGraphError(
      await graph(m, app, `/v1.0/users/${CONTOSO.users.adele.id}/manager`),
      501,
      'NotImplemented',
      `mock-entra does not implement manager on users.`,
    );
    expectGraphError(
      await graph(m, app, `/v1.0/groups/${CONTOSO.groups.engineering}`, { method: 'PATCH', body: { displayName: 'x' } }),
      501,
      'NotImplemented',
      `mock-entra does not implement PATCH /v1.0/groups/${CONTOSO.groups.engineering}.`,
    );
  });
});

describe('the request log', () => {
  it('attributes Graph calls to the token’s tenant, with the endpoint and Graph’s error code', async () => {
    const tenant = await copyOfContoso(m);
    const token = await userToken(m, { tenant });
    await m.inject({ method: 'DELETE', url: `/_mock/tenants/${tenant}/requests` });
    await graph(m, token, '/v1.0/me?$select=id');
    await graph(m, token, '/v1.0/groups');
    const log = json(await m.inject(`/_mock/tenants/${tenant}/requests`)).requests as Array<Record<string, unknown>>;
    expect(log.map((e) => [e.method, e.url, e.endpoint, e.status, e.error])).toEqual([
      ['GET', '/v1.0/me?$select=id', 'graph.me', 200, undefined],
      ['GET', '/v1.0/groups', 'graph.groups', 403, 'Authorization_RequestDenied'],
    ]);
    // Contoso's log did not get them.
    const contoso = json(await m.inject(`/_mock/tenants/${T}/requests`)).requests as Array<{ url: string }>;
    expect(contoso.some((e) => e.url === '/v1.0/me?$select=id')).toBe(false);
  });
});
