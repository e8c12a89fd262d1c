import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, tokenPath, json, decodePart } from '../support/mock-app.js';

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

describe('smoke', () => {
  it('serves discovery', async () => {
    const r = await m.inject(`/${T}/v2.0/.well-known/openid-configuration`);
    expect(r.statusCode).toBe(200);
    console.log(r.body.slice(0, 300));
  });
  it('client credentials', async () => {
    const r = await m.form(tokenPath(), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
    });
    console.log(r.statusCode, r.body.slice(0, 200));
    const b = json(r);
    console.log(decodePart(String(b.access_token), 0), decodePart(String(b.access_token), 1));
  });
});
