import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, mockApp, T, type TestMock } from '../support/mock-app.js';
import { appToken, copyOfContoso, expectGraphError, graph, ok, userToken } from './graph-support.js';

/**
 * Graph from a browser: the preflight is answered before any token check, and every Graph
 * answer — successes and refusals alike — carries Graph's CORS headers; the test-control API
 * under /_mock never does.
 */

let m: TestMock;
let user: string;
beforeAll(async () => {
  m = await mockApp();
  user = await userToken(m);
});
afterAll(() => m.close());

const ORIGIN = 'http://localhost:3000';
const EXPOSED =
  'ETag, Location, Preference-Applied, Content-Range, request-id, client-request-id, ReadWriteConsistencyToken, Retry-After, SdkVersion, WWW-Authenticate, x-ms-client-gcc-tenant, X-Planner-Operationid, x-ms-permissions-recommendations';

const preflight = (url: string, headers: Record<string, string> = {}) =>
  m.inject({
    method: 'OPTIONS',
    url,
    headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,client-request-id', ...headers },
  });

function expectCors(r: LightMyRequestResponse): void {
  expect(r.headers['access-control-allow-origin']).toBe('*');
  expect(r.headers['access-control-expose-headers']).toBe(EXPOSED);
}

function expectNoCors(r: LightMyRequestResponse): void {
  for (const name of Object.keys(r.headers)) expect(name.startsWith('access-control-'), name).toBe(false);
}

describe('the preflight', () => {
  it.each([
    '/v1.0/me',
    '/v1.0/users?$top=5',
    `/v1.0/groups/${CONTOSO.groups.engineering}/members`,
    '/v1.0/me/photo/$value',
    '/v1.0/nothing/here',
    '/v1.0',
    '/oidc/userinfo',
  ])('OPTIONS %s: 200, empty, the methods and the asked headers allowed, before any token check', async (url) => {
    const r = await preflight(url);
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('');
    expectCors(r);
    expect(r.headers['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE, OPTIONS');
    expect(r.headers['access-control-allow-headers']).toBe('authorization,client-request-id');
    expect(r.headers['access-control-max-age']).toBe('3600');
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('echoes the SDKs’ headers as asked, and no header list that is not one', async () => {
    const sdk = await preflight('/v1.0/users', { 'access-control-request-headers': 'authorization, consistencylevel, sdkversion, prefer' });
    expect(sdk.headers['access-control-allow-headers']).toBe('authorization, consistencylevel, sdkversion, prefer');
    for (const hostile of ['authorization x-injected: 1', 'a'.repeat(1025), 'authorization;x', '']) {
      const r = await preflight('/v1.0/me', { 'access-control-request-headers': hostile });
      expect(r.statusCode).toBe(200);
      expect(r.headers['access-control-allow-headers']).toBeUndefined();
    }
  });

  it('an OPTIONS that is no preflight (no Access-Control-Request-Method) is an ordinary Graph request: 401 without a token, with CORS headers', async () => {
    const r = await m.inject({ method: 'OPTIONS', url: '/v1.0/me', headers: { origin: ORIGIN } });
    expectGraphError(r, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    expectCors(r);
    expect(r.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('actual requests carry the CORS headers', () => {
  it('on successes: /v1.0/me and /oidc/userinfo, with or without an Origin', async () => {
    const variants: Array<Record<string, string>> = [{ origin: ORIGIN }, {}];
    for (const headers of variants) {
      const me = await graph(m, user, '/v1.0/me', { headers });
      ok(me);
      expectCors(me);
      const info = await m.inject({ url: '/oidc/userinfo', headers: { authorization: `Bearer ${user}`, ...headers } });
      expect(info.statusCode).toBe(200);
      expectCors(info);
    }
  });

  it('on 401, 403, 404, 400, 405 and 501', async () => {
    const headers = { origin: ORIGIN };
    const r401 = await graph(m, 'not-a-jwt', '/v1.0/me', { headers });
    expectGraphError(r401, 401, 'InvalidAuthenticationToken', 'CompactToken parsing failed with error code: 80049217');
    expectCors(r401);
    const r403 = await graph(m, user, '/v1.0/groups', { headers });
    expectGraphError(r403, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    expectCors(r403);
    const r404 = await graph(m, user, '/v1.0/me/photo/$value', { headers });
    expectGraphError(r404, 404, 'ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.");
    expectCors(r404);
    const r400 = await graph(m, user, '/v1.0/nothing', { headers });
    expectGraphError(r400, 400, 'BadRequest', "Resource not found for the segment 'nothing'.");
    expectCors(r400);
    const r405 = await m.inject({ method: 'PUT', url: '/oidc/userinfo', headers });
    expectGraphError(r405, 405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    expectCors(r405);
    const r501 = await graph(m, user, '/v1.0/me/drive', { headers });
    expect(r501.statusCode).toBe(501);
    expectCors(r501);
    // Refused by the router before the surface runs (app.ts), still in Graph's shape and readable.
    const unroutable = await graph(m, user, '/v1.0/users/%zz', { headers });
    expectGraphError(unroutable, 400, 'BadRequest', 'The request URL or body is not valid.');
    expectCors(unroutable);
  });

  it('on an injected 429, Retry-After included (and exposed)', async () => {
    const tenant = await copyOfContoso(m);
    const token = await appToken(m, tenant);
    const set = await m.inject({
      method: 'POST',
      url: `/_mock/tenants/${tenant}/graph/faults`,
      payload: JSON.stringify({ status: 429, retryAfterSeconds: 7, count: 1, path: '/v1.0/groups' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(set.statusCode, set.body).toBe(201);
    const r = await graph(m, token, '/v1.0/groups', { headers: { origin: ORIGIN } });
    expectGraphError(r, 429, 'TooManyRequests', 'Too many requests.');
    expect(r.headers['retry-after']).toBe('7');
    expectCors(r);
  });
});

describe('the test-control API is never cross-origin readable', () => {
  it.each([
    ['GET', `/_mock/tenants/${T}`, {}],
    ['OPTIONS', `/_mock/tenants/${T}`, { 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }],
    ['OPTIONS', '/_mock/tenants', { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }],
    ['GET', '/_mock/nothing', {}],
  ] as const)('%s %s: no Access-Control-* header', async (method, url, extra) => {
    const r = await m.inject({ method, url, headers: { origin: ORIGIN, ...extra } });
    expectNoCors(r);
  });
});
