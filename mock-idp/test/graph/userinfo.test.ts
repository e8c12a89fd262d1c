import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, json, bridgeCode, bridgeRedeem, tokenPath } from '../support/mock-app.js';
import { pairwiseSubject } from '../../src/tokens/subject.js';

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const userinfo = (token: string | undefined, method: 'GET' | 'POST' = 'GET') =>
  m.inject({ method, url: '/oidc/userinfo', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('/oidc/userinfo', () => {
  it('answers with the ID token’s pairwise sub, names and email for a Graph token', async () => {
    const at = String(json(await bridgeRedeem(m, await bridgeCode(m))).access_token);
    for (const method of ['GET', 'POST'] as const) {
      const r = await userinfo(at, method);
      expect(r.statusCode).toBe(200);
      expect(json(r)).toEqual({
        sub: pairwiseSubject(T, CONTOSO.bridge.appId, CONTOSO.users.adele.id),
        name: 'Adele Vance',
        family_name: 'Vance',
        given_name: 'Adele',
        picture: 'https://localhost:8443/v1.0/me/photo/$value',
        email: CONTOSO.users.adele.mail,
      });
    }
  });

  it('refuses a token for another audience with Graph’s 401', async () => {
    const b = json(
      await m.form(tokenPath(), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.ingestion.appId,
        client_secret: CONTOSO.ingestion.secret,
        scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
      }),
    );
    const r = await userinfo(String(b.access_token));
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toContain('client_id="00000003-0000-0000-c000-000000000000"');
    const e = json(r).error as Record<string, unknown>;
    expect(e.code).toBe('InvalidAuthenticationToken');
    expect(Object.keys(e.innerError as object)).toEqual(['date', 'request-id', 'client-request-id']);
    expect((e.innerError as Record<string, string>).date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it.each([
    ['no token', undefined, 'Access token is empty.'],
    ['garbage', 'not-a-jwt', 'CompactToken parsing failed with error code: 80049217'],
  ])('answers %s with 401 InvalidAuthenticationToken', async (_w, token, message) => {
    const r = await userinfo(token);
    expect(r.statusCode).toBe(401);
    expect((json(r).error as Record<string, unknown>).message).toBe(message);
  });

  it('refuses a tampered Graph token', async () => {
    const at = String(json(await bridgeRedeem(m, await bridgeCode(m))).access_token);
    const [h, p, s] = at.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    claims.oid = CONTOSO.users.alex.id;
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expect((await userinfo(forged)).statusCode).toBe(401);
  });

  it('refuses an app-only Graph token with 403', async () => {
    const b = json(
      await m.form(tokenPath(), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.bridge.appId,
        client_secret: CONTOSO.bridge.secret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    );
    const r = await userinfo(String(b.access_token));
    expect(r.statusCode).toBe(403);
    expect((json(r).error as Record<string, unknown>).code).toBe('Authorization_RequestDenied');
  });
});
