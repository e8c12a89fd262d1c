import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, authorize, BRIDGE_AUTH, bridgeCode, decodePart, json } from '../support/mock-app.js';

/**
 * The misconfigurations Entra answers in its own way (issue 11 §2), over inject: where each
 * refusal goes (back to the app, the error page, JSON), and that the matching requests still work.
 * The same answers through real client libraries: real-clients/entra-misconfig.test.ts.
 */

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const UI = CONTOSO.openMetadataUi;
const BRIDGE = CONTOSO.bridge;
const firstLine = (d: string | null): string | undefined => d?.split('\r\n')[0];

describe('implicit switches off (AADSTS700054 / AADSTS700051)', () => {
  it('token in response_type without the access-token switch: AADSTS700051 back to the app in the fragment', async () => {
    const { login_hint: _h, mock_login: _a, ...q } = BRIDGE_AUTH;
    const r = await authorize(m, { ...q, response_type: 'token', scope: 'User.Read', state: 's-700051' });
    expect(r.status).toBe(302);
    expect(r.location!.startsWith(`${BRIDGE.redirectUri}#error=unsupported_response_type&`)).toBe(true);
    expect(firstLine(r.params.get('error_description'))).toBe("AADSTS700051: response_type 'token' is not enabled for the application.");
    expect(r.params.get('state')).toBe('s-700051');
  });

  it('form_post is honoured for the refusal too', async () => {
    const r = await m.inject(
      `/${T}/oauth2/v2.0/authorize?${new URLSearchParams({ ...BRIDGE_AUTH, response_type: 'code id_token', response_mode: 'form_post', nonce: 'n' })}`,
    );
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<input type="hidden" name="error" value="unsupported_response_type" />');
    expect(r.body).toContain('AADSTS700054: response_type &#39;id_token&#39; is not enabled for the application.');
  });
});

describe('a single-tenant app on /common (AADSTS50194)', () => {
  it('goes back to the registered redirect URI as invalid_request, before any sign-in', async () => {
    const r = await authorize(m, { ...BRIDGE_AUTH, state: 's-50194' }, { tenant: 'common' });
    expect(r.status).toBe(302);
    expect(r.location!.startsWith(`${BRIDGE.redirectUri}?error=invalid_request&error_description=AADSTS50194%3a+`)).toBe(true);
    expect(firstLine(r.params.get('error_description'))).toBe(
      `AADSTS50194: Application '${BRIDGE.appId}'(Identity Bridge) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
    );
    expect(r.cookie).toBeUndefined();
  });

  it('an unregistered redirect URI on /common: the error page (AADSTS50011), never a redirect', async () => {
    const r = await authorize(m, { ...BRIDGE_AUTH, redirect_uri: 'https://evil.example/cb' }, { tenant: 'common' });
    expect(r.location).toBeUndefined();
    expect(r.body).toContain('AADSTS50011');
  });
});

describe('resource on the v2 endpoints (AADSTS9010010)', () => {
  it('at authorize: a resource that is not the scopes’ resource goes back to the app as invalid_target', async () => {
    const r = await authorize(m, { ...BRIDGE_AUTH, resource: 'https://mcp.contoso.example', state: 's-r' });
    expect(r.status).toBe(302);
    expect(r.params.get('error')).toBe('invalid_target');
    expect(firstLine(r.params.get('error_description'))).toBe(
      "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.",
    );
    expect(r.params.get('state')).toBe('s-r');
  });

  it('at authorize: the scopes’ own resource (App ID URI, with or without a trailing slash) is accepted', async () => {
    for (const resource of ['https://graph.microsoft.com', 'https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000']) {
      const r = await authorize(m, { ...BRIDGE_AUTH, resource });
      expect(r.params.get('code'), resource).toBeTruthy();
    }
    const api = await authorize(m, {
      client_id: UI.appId,
      redirect_uri: UI.redirectUri,
      response_type: 'code',
      scope: `openid ${UI.scope}`,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      resource: UI.apiUri,
      mock_login: 'auto',
      login_hint: CONTOSO.users.adele.upn,
    });
    expect(api.params.get('code')).toBeTruthy();
  });

  it('at the token endpoint: refused as JSON (400 invalid_target), accepted when it matches', async () => {
    const cc = {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      scope: `${UI.apiUri}/.default`,
    };
    const refused = await m.form(`/${T}/oauth2/v2.0/token`, { ...cc, resource: 'https://graph.microsoft.com' });
    expect(refused.statusCode).toBe(400);
    const body = json(refused);
    expect(body.error).toBe('invalid_target');
    expect(body.error_codes).toEqual([9010010]);
    const accepted = await m.form(`/${T}/oauth2/v2.0/token`, { ...cc, resource: UI.apiUri });
    expect(accepted.statusCode).toBe(200);
    expect(decodePart(String(json(accepted).access_token), 1).aud).toBe(UI.apiUri);
  });

  it('a refused code redemption leaves the code redeemable', async () => {
    const code = await bridgeCode(m);
    const redeem = { grant_type: 'authorization_code', client_id: BRIDGE.appId, client_secret: BRIDGE.secret, code, redirect_uri: BRIDGE.redirectUri };
    const refused = await m.form(`/${T}/oauth2/v2.0/token`, { ...redeem, resource: UI.apiUri });
    expect(json(refused).error_codes).toEqual([9010010]);
    const ok = await m.form(`/${T}/oauth2/v2.0/token`, redeem);
    expect(ok.statusCode).toBe(200);
  });
});

describe('v1 endpoints without resource (AADSTS500013)', () => {
  const v1Token = `/${T}/oauth2/token`;

  it('client credentials: invalid_resource, even with a v2-style scope', async () => {
    const r = await m.form(v1Token, { grant_type: 'client_credentials', client_id: CONTOSO.ingestion.appId, client_secret: CONTOSO.ingestion.secret });
    expect(r.statusCode).toBe(400);
    const body = json(r);
    expect(body.error).toBe('invalid_resource');
    expect(String(body.error_description).split('\r\n')[0]).toBe('AADSTS500013: Resource identifier is not provided.');
  });

  it('v1 authorize without resource still signs in; the code needs resource when redeemed, and works with it', async () => {
    const q = { ...BRIDGE_AUTH, scope: 'openid' };
    const r = await authorize(m, q, { path: `/${T}/oauth2/authorize` });
    const code = r.params.get('code');
    expect(code).toBeTruthy();
    const redeem = { grant_type: 'authorization_code', client_id: BRIDGE.appId, client_secret: BRIDGE.secret, code: code!, redirect_uri: BRIDGE.redirectUri };
    const refused = await m.form(v1Token, redeem);
    expect(json(refused).error_codes).toEqual([500013]);
    const ok = await m.form(v1Token, { ...redeem, resource: 'https://graph.microsoft.com' });
    expect(ok.statusCode).toBe(200);
    expect(decodePart(String(json(ok).access_token), 1).aud).toBe('https://graph.microsoft.com');
  });

  it('a code whose v1 authorize request named the resource redeems without repeating it', async () => {
    const r = await authorize(m, { ...BRIDGE_AUTH, scope: 'openid', resource: 'https://graph.microsoft.com' }, { path: `/${T}/oauth2/authorize` });
    const ok = await m.form(v1Token, {
      grant_type: 'authorization_code',
      client_id: BRIDGE.appId,
      client_secret: BRIDGE.secret,
      code: r.params.get('code')!,
      redirect_uri: BRIDGE.redirectUri,
    });
    expect(ok.statusCode).toBe(200);
  });

  it('v1 authorize asking for an access token without resource: back to the app', async () => {
    const r = await authorize(
      m,
      { client_id: UI.appId, redirect_uri: UI.redirectUri, response_type: 'token', state: 's-v1', mock_login: 'auto', login_hint: CONTOSO.users.adele.upn },
      { path: `/${T}/oauth2/authorize` },
    );
    expect(r.location!.startsWith(`${UI.redirectUri}#error=invalid_resource&`)).toBe(true);
    expect(firstLine(r.params.get('error_description'))).toBe('AADSTS500013: Resource identifier is not provided.');
  });
});

describe('the device authorization endpoint and unknown paths under a tenant', () => {
  it('devicecode answers Entra’s JSON (refusals included; the flow itself: test/device-code/), never HTML', async () => {
    for (const path of [`/${T}/oauth2/v2.0/devicecode`, `/${T}/oauth2/devicecode`]) {
      const r = await m.form(path, { client_id: CONTOSO.openMetadataUi.appId, scope: 'openid', resource: 'https://graph.microsoft.com' });
      expect(r.statusCode, path).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(json(r)).toHaveProperty('device_code');
    }
    const noClient = await m.form(`/${T}/oauth2/v2.0/devicecode`, { scope: 'openid' });
    expect(json(noClient).error_codes).toEqual([900144]);
    const get = await m.inject(`/${T}/oauth2/v2.0/devicecode`);
    expect(json(get).error_codes).toEqual([900561]);
  });

  it('an unknown path under a tenant: 404 in Entra’s JSON; under an unknown tenant: AADSTS90002', async () => {
    const r = await m.inject(`/${T}/oauth2/v2.0/nowhere?x=1`);
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = json(r);
    expect(Object.keys(body)).toEqual(['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
    expect(body.error).toBe('invalid_request');
    expect(String(body.error_description).split('\r\n')[0]).toBe(`AADSTS90056: The endpoint '/${T}/oauth2/v2.0/nowhere' does not exist.`);
    const unknownTenant = await m.inject('/4f3e2d1c-0000-4000-8000-000000000000/oauth2/v2.0/nowhere');
    expect(unknownTenant.statusCode).toBe(400);
    expect(json(unknownTenant).error_codes).toEqual([90002]);
    const common = await m.inject('/common/oauth2/v2.0/nowhere');
    expect(json(common).error_codes).toEqual([90056]);
  });

  it('paths that are not under a tenant keep the 404 page', async () => {
    for (const path of ['/nowhere', '/favicon.ico', '/not_a_tenant/nowhere']) {
      const r = await m.inject(path);
      expect(r.statusCode, path).toBe(404);
      expect(String(r.headers['content-type'])).toMatch(/^text\/html/);
    }
  });
});
