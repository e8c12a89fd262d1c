import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/contoso.js';
import { graphAppToken, send, serveMock, type RawAnswer, type ServedMock } from '../security/control-support.js';

/**
 * Issue 10, item 1: the Microsoft Graph surface and the Azure AD Graph surface each answer what
 * goes wrong before or around their routes — a method the target does not take, a path no route
 * takes, a body over the mock's 1 MiB limit, a URL that does not decode — in their own error
 * shape, by their own handlers. Over HTTP against a real server, since the body limit and the
 * URL decoding are the web server's.
 */

const T = CONTOSO.tenantId;
const ADELE = CONTOSO.users.adele.id;
const OVERAGE = `/${T}/users/${ADELE}/getMemberObjects`;
const OVER_LIMIT = JSON.stringify({ securityEnabledOnly: false, padding: 'x'.repeat(1024 * 1024 + 1) });
const METHOD_NOT_ALLOWED = 'Specified HTTP method is not allowed for the request target.';
const NOT_VALID = 'The request URL or body is not valid.';

let s: ServedMock;
let token: string;
beforeAll(async () => {
  s = await serveMock();
  token = await graphAppToken(s.address);
});
afterAll(() => s?.close());

const bearer = (): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** Graph's error answer: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}` as `application/json`. */
function expectGraphError(r: RawAnswer, status: number, code: string, message: string): void {
  expect(r.status, r.body).toBe(status);
  expect(r.headers['content-type']).toBe('application/json');
  const body = r.json as { error: { code: string; message: string; innerError: Record<string, string> } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toBe(message);
  expect(Object.keys(body.error.innerError)).toEqual(['date', 'request-id', 'client-request-id']);
  expect(body.error.innerError['request-id']).toBe(r.headers['request-id']);
}

/** Azure AD Graph's error answer: `{"odata.error":{"code","message":{"lang","value"},"requestId","date"}}`. */
function expectAadGraphError(r: RawAnswer, status: number, code: string, message: string): void {
  expect(r.status, r.body).toBe(status);
  expect(r.headers['content-type']).toBe('application/json;odata=minimalmetadata;streaming=true;charset=utf-8');
  const body = r.json as { 'odata.error': { code: string; message: { lang: string; value: string }; requestId: string; date: string } };
  expect(Object.keys(body)).toEqual(['odata.error']);
  expect(Object.keys(body['odata.error'])).toEqual(['code', 'message', 'requestId', 'date']);
  expect(body['odata.error'].code).toBe(code);
  expect(body['odata.error'].message).toEqual({ lang: 'en', value: message });
  expect(body['odata.error'].requestId).toBe(r.headers['request-id']);
}

describe('Microsoft Graph surface', () => {
  it('answers a method its target does not take with 405, on routes, prefixes and the bare /v1.0', async () => {
    const answers = await Promise.all([
      send(s.port, 'GET', '/v1.0/me/getMemberGroups', { headers: bearer() }),
      send(s.port, 'PUT', '/oidc/userinfo', { headers: bearer(), body: '{}' }),
      send(s.port, 'DELETE', '/OIDC/UserInfo'),
      // Methods Fastify routes nowhere reach the surface's not-found handler.
      send(s.port, 'PROPFIND', '/v1.0/users', { headers: bearer() }),
      send(s.port, 'SEARCH', '/oidc/userinfo'),
      send(s.port, 'GET', '/v1.0'),
      send(s.port, 'POST', '/V1.0/', { headers: bearer(), body: '{}' }),
    ]);
    for (const r of answers) expectGraphError(r, 405, 'Request_BadRequest', METHOD_NOT_ALLOWED);
  });

  it('answers a path no route takes in Graph words: an unknown segment, a segment the mock does not serve, anything under /oidc/userinfo', async () => {
    expectGraphError(await send(s.port, 'GET', '/v1.0/nosuch', { headers: bearer() }), 400, 'BadRequest', "Resource not found for the segment 'nosuch'.");
    expectGraphError(await send(s.port, 'GET', '/v1.0/devices', { headers: bearer() }), 501, 'NotImplemented', 'mock-entra does not implement /v1.0/devices.');
    expectGraphError(
      await send(s.port, 'PATCH', '/v1.0/users', { headers: bearer(), body: '{}' }),
      501,
      'NotImplemented',
      'mock-entra does not implement PATCH /v1.0/users.',
    );
    // Behind the token check, like every Graph path.
    expectGraphError(await send(s.port, 'GET', '/v1.0/nosuch'), 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    expectGraphError(await send(s.port, 'GET', '/oidc/userinfo/claims', { headers: bearer() }), 405, 'Request_BadRequest', METHOD_NOT_ALLOWED);
  });

  it('refuses a body over 1 MiB with 413 RequestEntityTooLarge, with or without a token, routed or not', async () => {
    const headers = { 'content-type': 'application/json' };
    const answers = await Promise.all([
      send(s.port, 'POST', '/v1.0/me/getMemberGroups', { headers: { ...headers, ...bearer() }, body: OVER_LIMIT }),
      send(s.port, 'POST', '/v1.0/users', { headers, body: OVER_LIMIT }),
      send(s.port, 'POST', '/oidc/userinfo', { headers, body: OVER_LIMIT }),
      send(s.port, 'PUT', '/v1.0', { headers, body: OVER_LIMIT }),
    ]);
    for (const r of answers) expectGraphError(r, 413, 'RequestEntityTooLarge', 'The request body is too large.');
  });

  it('refuses a URL that does not decode with 400 BadRequest', async () => {
    for (const path of ['/v1.0/%zz', '/v1.0/users/%zz/memberOf', '/oidc/userinfo/%zz']) {
      expectGraphError(await send(s.port, 'GET', path, { headers: bearer() }), 400, 'BadRequest', NOT_VALID);
    }
  });
});

describe('Azure AD Graph surface (the groups overage route)', () => {
  it('answers another method than POST with 405 in its own shape', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'HEAD']) {
      const r = await send(s.port, method, OVERAGE, { headers: bearer() });
      expect(r.status).toBe(405);
      expect(r.headers['content-type']).toBe('application/json;odata=minimalmetadata;streaming=true;charset=utf-8');
      if (method !== 'HEAD') expectAadGraphError(r, 405, 'Request_BadRequest', METHOD_NOT_ALLOWED);
    }
  });

  it('answers an object it does not know in its own shape; a longer path is not its own (it shares /{tenant} with Entra)', async () => {
    const r = await send(s.port, 'POST', `/${T}/users/00000000-0000-0000-0000-000000000001/getMemberObjects`, {
      headers: { ...bearer(), 'content-type': 'application/json' },
      body: JSON.stringify({ securityEnabledOnly: false }),
    });
    expectAadGraphError(
      r,
      404,
      'Request_ResourceNotFound',
      "Resource '00000000-0000-0000-0000-000000000001' does not exist or one of its queried reference-property objects are not present.",
    );
    const beyond = await send(s.port, 'POST', `${OVERAGE}/more`, { headers: bearer() });
    expect(beyond.status).toBe(404);
    expect(beyond.json === undefined || !('odata.error' in (beyond.json as object))).toBe(true);
  });

  it('refuses a body over 1 MiB with 400 Request_BadRequest, whatever the method', async () => {
    for (const method of ['POST', 'PUT']) {
      const r = await send(s.port, method, OVERAGE, { headers: { ...bearer(), 'content-type': 'application/json' }, body: OVER_LIMIT });
      expectAadGraphError(r, 400, 'Request_BadRequest', NOT_VALID);
    }
  });

  it('refuses a URL that does not decode with 400 Request_BadRequest', async () => {
    expectAadGraphError(await send(s.port, 'POST', `/${T}/users/%zz/getMemberObjects`, { headers: bearer() }), 400, 'Request_BadRequest', NOT_VALID);
  });
});
