import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMock, send, T, type ServedMock } from '../security/control-support.js';

/**
 * Issue 10: the Entra surface answers what reaches it wrongly in its own shape, by its own
 * plugin's handlers (surfaces/entra/index.ts) — a wrong method, an unknown path, a body over the
 * limit — and an undecodable URL in its path is refused in Entra's shape too. Over HTTP, with
 * Fastify's own parsing in the way.
 */

let s: ServedMock;
beforeAll(async () => {
  s = await serveMock();
});
afterAll(() => s.close());

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const oversized = `grant_type=client_credentials&x=${'y'.repeat(1024 * 1024)}`;

/** Entra's JSON error body: the AADSTS code, never Fastify's own fields or a stack. */
function expectAadsts(a: { status: number; headers: Record<string, unknown>; body: string; json: unknown }, status: number, code: number): void {
  expect(a.status).toBe(status);
  expect(String(a.headers['content-type'])).toMatch(/^application\/json/);
  const body = a.json as Record<string, unknown>;
  expect(body.error_codes).toEqual([code]);
  expect(String(body.error_description)).toMatch(new RegExp(`^AADSTS${code}: `));
  expect(Object.keys(body)).not.toContain('statusCode');
  expect(a.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
}

describe('the Entra surface answers in its own shape', () => {
  it('a method the token endpoint does not take: AADSTS900561', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) expectAadsts(await send(s.port, method, `/${T}/oauth2/v2.0/token`), 400, 900561);
  });

  // Changed on purpose (issue 11): under a tenant, an unknown path or method answers Entra's JSON
  // (AADSTS90056, 404); only paths outside a tenant keep the 404 page.
  it('a method no Entra route takes, and an unknown path under a tenant: AADSTS90056 as JSON (404)', async () => {
    for (const [method, path] of [
      ['DELETE', `/${T}/oauth2/v2.0/authorize`],
      ['POST', `/${T}/v2.0/.well-known/openid-configuration`],
      ['GET', `/${T}/oauth2/v2.0/nowhere`],
    ] as const) {
      expectAadsts(await send(s.port, method, path), 404, 90056);
    }
  });

  it('an unknown path outside any tenant: the 404 page', async () => {
    const a = await send(s.port, 'GET', '/nowhere');
    expect(a.status).toBe(404);
    expect(String(a.headers['content-type'])).toMatch(/^text\/html/);
    expect(a.body).toContain('404 — not found');
  });

  it('a body over the limit: AADSTS90100 as JSON (a 400, never Fastify’s 413)', async () => {
    expectAadsts(await send(s.port, 'POST', `/${T}/oauth2/v2.0/token`, { headers: FORM, body: oversized }), 400, 90100);
    expectAadsts(await send(s.port, 'POST', `/${T}/oauth2/v2.0/authorize`, { headers: FORM, body: oversized }), 400, 90100);
    expectAadsts(await send(s.port, 'POST', '/nowhere', { headers: FORM, body: oversized }), 400, 90100);
  });

  it('an undecodable tenant segment: AADSTS900023', async () => {
    expectAadsts(await send(s.port, 'GET', '/%zz/oauth2/v2.0/token'), 400, 900023);
  });

  it('a refusal on the authorize page before the redirect URI is trusted: the error page, never a redirect', async () => {
    const a = await send(s.port, 'GET', `/${T}/oauth2/v2.0/authorize?client_id=00000000-0000-0000-0000-00000000dead&response_type=code&scope=openid`);
    expect(a.status).toBe(200);
    expect(a.headers.location).toBeUndefined();
    expect(a.headers['x-ms-ests-error']).toBe('700016');
  });
});
