import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMock, send, T, type ServedMock, type RawAnswer } from '../security/control-support.js';

/**
 * Issue 10: the test-control API answers what reaches it wrongly in its own shape,
 * `{"error":{"code","message"}}`, from its own plugin's handlers (surfaces/control/index.ts) — a
 * method a path does not take, an unknown path, a body over the limit, an unknown tenant — and an
 * undecodable URL under /_mock is refused in that shape too. Over HTTP, with Fastify's own
 * parsing in the way.
 */

let s: ServedMock;
beforeAll(async () => {
  s = await serveMock();
});
afterAll(() => s.close());

const JSON_TYPE = { 'content-type': 'application/json' };

/** The control API's error body: exactly `{ error: { code, message } }`, never Fastify's fields or a stack. */
function expectControlError(a: RawAnswer, status: number, code: string): string {
  expect(a.status, a.body).toBe(status);
  expect(String(a.headers['content-type'])).toMatch(/^application\/json/);
  const body = a.json as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error)).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(a.body).not.toMatch(/\bat .+\.(ts|js):\d+|FST_/);
  return body.error.message;
}

describe('the test-control API answers in its own shape', () => {
  it('a method a path does not take, and an unknown path: 404 NotFound naming what was asked', async () => {
    for (const [method, path] of [
      ['PATCH', '/_mock/health'],
      ['POST', `/_mock/tenants/${T}/clock`],
      ['GET', '/_mock/nowhere'],
      ['GET', `/_mock/tenants/${T}/nowhere`],
      ['GET', '/_mock'],
    ] as const) {
      const message = expectControlError(await send(s.port, method, path, method === 'GET' ? {} : { headers: JSON_TYPE, body: '{}' }), 404, 'NotFound');
      expect(message).toContain(`${method} ${path}`);
    }
  });

  it('an unknown tenant: 404 NotFound, from the tenant scope, for every route under /_mock/tenants/:id', async () => {
    for (const [method, path] of [
      ['GET', '/_mock/tenants/nope.example.com'],
      ['DELETE', '/_mock/tenants/nope.example.com/graph/faults'],
      ['POST', '/_mock/tenants/nope.example.com/users/someone/revoke-sessions'],
    ] as const) {
      expect(expectControlError(await send(s.port, method, path), 404, 'NotFound')).toBe('No tenant nope.example.com.');
    }
  });

  it('a body over the limit: 413 in the control shape', async () => {
    const message = expectControlError(
      await send(s.port, 'POST', '/_mock/tenants', { headers: JSON_TYPE, body: JSON.stringify({ padding: 'x'.repeat(1024 * 1024) }) }),
      413,
      'BadRequest',
    );
    expect(message).toBe('The request body is too large.');
  });

  it('an undecodable URL: 400 in the control shape', async () => {
    expect(expectControlError(await send(s.port, 'GET', '/_mock/tenants/%zz'), 400, 'BadRequest')).toBe('The request URL or body is not valid.');
  });

  it('the guard answers first: a caller it refuses learns nothing of which paths exist', async () => {
    const cross = { origin: 'https://evil.example' };
    expectControlError(await send(s.port, 'GET', '/_mock/nowhere', { headers: cross }), 403, 'Forbidden');
    expectControlError(await send(s.port, 'GET', '/_mock/health', { headers: cross }), 403, 'Forbidden');
  });
});
