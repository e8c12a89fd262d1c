import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mockApp, type TestMock, authorize, BRIDGE_AUTH, json, tokenPath, CONTOSO } from '../support/mock-app.js';

/**
 * What is not an EntraError is a bug in the mock: the Entra surface's error handler answers it
 * like Entra's own outage (server_error, AADSTS50000, HTTP 500), never with a stack trace or the
 * internal message — from the pages as from the token endpoint. The bug here: a store that fails.
 */

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => {
  vi.restoreAllMocks();
  return m.close();
});

const INTERNAL = 'store unavailable: internal detail';

/** The store fails once, as a shared store (Redis…) behind it might. */
const failOnce = (method: 'put' | 'get'): void => {
  vi.spyOn(m.ctx.store, method).mockRejectedValueOnce(new Error(INTERNAL));
};

function expectServerError(status: number, body: string): void {
  expect(status).toBe(500);
  const b = JSON.parse(body) as Record<string, unknown>;
  expect(b.error).toBe('server_error');
  expect(b.error_codes).toEqual([50000]);
  expect(Object.keys(b)).toEqual(['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
  expect(body).not.toContain(INTERNAL);
  expect(body).not.toMatch(/\bat .+\.(ts|js):\d+/);
}

describe('a failure that is not an EntraError', () => {
  it('on the authorize endpoint (minting the code): server_error as JSON, nothing internal', async () => {
    failOnce('put');
    const r = await authorize(m, BRIDGE_AUTH);
    expectServerError(r.status, r.body);
  });

  it('on the token endpoint (looking the code up): the same', async () => {
    failOnce('get');
    const r = await m.form(tokenPath(), {
      grant_type: 'authorization_code',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      code: '1.Aanything',
      redirect_uri: CONTOSO.bridge.redirectUri,
    });
    expectServerError(r.statusCode, r.body);
    expect(json(r).error_description).toMatch(/^AADSTS50000: There was an error issuing a token/);
  });
});
