import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { formatMessage } from '../../src/errors/catalog.js';
import { serveMock, send, json, T, type ServedMock } from './control-support.js';
import {
  BRIDGE,
  BRIDGE_QUERY,
  authorizePath,
  control,
  errorCodes,
  get,
  newTenant,
  postForm,
  redeem,
  redirectParams,
  sessionCookie,
  signInAuto,
} from './sign-in-support.js';

/**
 * Issue 9 item 9 — sessions and tokens outlived their tenant: an ESTSAUTH cookie still signed in
 * silently after logout and after 400 days on the tenant clock, and a deleted tenant's refresh
 * tokens and cookies worked again once a tenant with the same id was created. Sessions now have
 * Entra's 90-day inactivity window on the tenant clock, logout ends them server-side, and tokens,
 * sessions and codes are bound to the tenant's incarnation.
 */
let s: ServedMock;
beforeAll(async () => {
  s = await serveMock();
});
afterAll(() => s.close());

const DAY_MS = 24 * 3600 * 1000;

/** prompt=none with the cookie: the code, or the login_required refusal. */
async function silent(tenant: string, cookie: string): Promise<{ code: string | null; error: string | null; description: string | null }> {
  const r = await get(s.port, authorizePath(tenant, { ...BRIDGE_QUERY, prompt: 'none' }), cookie);
  expect(r.status).toBe(302);
  const p = redirectParams(r);
  return { code: p.get('code'), error: p.get('error'), description: p.get('error_description') };
}

const LOGIN_REQUIRED = {
  code: null,
  error: 'login_required',
  description: expect.stringMatching(new RegExp(`^AADSTS50058: ${formatMessage(50058, {})}\r\n`)) as unknown,
};

async function refresh(tenant: string, refreshToken: string) {
  return postForm(s.port, `/${tenant}/oauth2/v2.0/token`, [
    ['grant_type', 'refresh_token'],
    ['client_id', BRIDGE.appId],
    ['client_secret', BRIDGE.secret],
    ['refresh_token', refreshToken],
  ]);
}

describe('logout ends the session server-side', () => {
  it('the old cookie, replayed after logout, is not silent any more (prompt=none: AADSTS50058; without: the sign-in page)', async () => {
    const { cookie } = await signInAuto(s.port);
    expect((await silent(T, cookie)).code).toBeTruthy();
    const out = await get(s.port, `/${T}/oauth2/v2.0/logout`, cookie);
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^ESTSAUTH=; .*Max-Age=0$/);
    expect(await silent(T, cookie)).toEqual(LOGIN_REQUIRED);
    const interactive = await get(s.port, authorizePath(T, BRIDGE_QUERY), cookie);
    expect(interactive.status).toBe(200);
    expect(interactive.body).toContain('Pick an account');
  });

  it('logout of one browser leaves another browser’s session of the same user alone', async () => {
    const one = await signInAuto(s.port);
    const other = await signInAuto(s.port);
    await get(s.port, `/${T}/oauth2/v2.0/logout`, one.cookie);
    expect(await silent(T, one.cookie)).toEqual(LOGIN_REQUIRED);
    expect((await silent(T, other.cookie)).code).toBeTruthy();
  });
});

describe('session lifetime on the tenant clock', () => {
  it('a cookie unused for 400 days does not sign in silently; within 90 days it does, and each use moves the window on', async () => {
    const tenant = await newTenant(s.port);
    const { cookie } = await signInAuto(s.port, tenant);
    const start = Date.now();
    await control(s.port, 'PUT', `/_mock/tenants/${tenant}/clock`, { now: start + 89 * DAY_MS });
    const at89 = await get(s.port, authorizePath(tenant, { ...BRIDGE_QUERY, prompt: 'none' }), cookie);
    expect(redirectParams(at89).get('code')).toBeTruthy();
    const touched = sessionCookie(at89)!; // the activity moved to day 89
    expect(touched).toBeTruthy();
    await control(s.port, 'PUT', `/_mock/tenants/${tenant}/clock`, { now: start + 170 * DAY_MS });
    expect((await silent(tenant, touched)).code).toBeTruthy();
    expect(await silent(tenant, cookie)).toEqual(LOGIN_REQUIRED); // the copy last used on day 0
    await control(s.port, 'PUT', `/_mock/tenants/${tenant}/clock`, { now: start + 400 * DAY_MS });
    expect(await silent(tenant, cookie)).toEqual(LOGIN_REQUIRED);
    expect(await silent(tenant, touched)).toEqual(LOGIN_REQUIRED);
  });
});

describe('a tenant deleted and created again under the same id', () => {
  it('refuses its predecessor’s refresh tokens, session cookies and codes; a reset keeps them', async () => {
    const tenant = await newTenant(s.port);
    const fixture = (await send(s.port, 'GET', `/_mock/tenants/${tenant}`)).json as { fixture: TenantFixture };
    const { code, cookie } = await signInAuto(s.port, tenant);
    const tokens = await redeem(s.port, tenant, code);
    expect(tokens.status).toBe(200);
    const rt = String((tokens.json as { refresh_token: string }).refresh_token);
    const pending = (await signInAuto(s.port, tenant)).code;

    // reset keeps the incarnation: the same tenant, back to its fixture.
    await control(s.port, 'POST', `/_mock/tenants/${tenant}/reset`);
    expect((await refresh(tenant, rt)).status).toBe(200);
    expect((await silent(tenant, cookie)).code).toBeTruthy();

    expect((await send(s.port, 'DELETE', `/_mock/tenants/${tenant}`)).status).toBe(204);
    expect((await send(s.port, 'POST', '/_mock/tenants', json(fixture.fixture))).status).toBe(201);

    const r = await refresh(tenant, rt);
    expect(r.status).toBe(400);
    expect(errorCodes(r)).toEqual([9002313]);
    expect(await silent(tenant, cookie)).toEqual(LOGIN_REQUIRED);
    const c = await redeem(s.port, tenant, pending);
    expect(c.status).toBe(400);
    expect(errorCodes(c)).toEqual([9002313]);
    // The new tenant itself works.
    const fresh = await signInAuto(s.port, tenant);
    expect((await redeem(s.port, tenant, fresh.code)).status).toBe(200);
  });
});
