import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairwiseSubject } from '../../src/tokens/subject.js';
import { CONTOSO, ORIGIN, T, decodePart, json, mockApp, type TestMock } from '../support/mock-app.js';
import { advanceClock, hiddenFields, postForm } from '../errors/flows.js';
import {
  DEVICE_GRANT,
  DEVICE_PAGE,
  answerLastPage,
  approveByAutomation,
  deviceTenant,
  poll,
  signInOnPage,
  startDeviceFlow,
  type DeviceTenant,
} from './device-flow.js';

let m: TestMock;
let d: DeviceTenant;
beforeAll(async () => {
  m = await mockApp();
  d = await deviceTenant(m);
});
afterAll(() => m.close());

const ADELE = CONTOSO.users.adele;
const firstLine = (r: { body: string }): string => String(json(r as never).error_description).split('\r\n')[0]!;

describe('the device authorization endpoint', () => {
  it('v2: user_code, device_code, verification_uri (the device page), expires_in 900, interval 5, Entra’s message; no verification_uri_complete', async () => {
    const r = await m.form(`/${d.tenant}/oauth2/v2.0/devicecode`, { client_id: d.cli, scope: 'User.Read offline_access' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store, no-cache');
    const b = json(r);
    expect(Object.keys(b)).toEqual(['user_code', 'device_code', 'verification_uri', 'expires_in', 'interval', 'message']);
    expect(b.user_code).toMatch(/^[A-Z2-9]{9}$/);
    expect(String(b.device_code)).toMatch(/^DAQABIQEAAAD[\w.-]+$/);
    expect(b.verification_uri).toBe(`${ORIGIN}/common/oauth2/deviceauth`);
    expect(b.expires_in).toBe(900);
    expect(b.interval).toBe(5);
    expect(b.message).toBe(
      `To sign in, use a web browser to open the page ${ORIGIN}/common/oauth2/deviceauth and enter the code ${String(b.user_code)} to authenticate.`,
    );
  });

  it('v1 (resource): verification_url, and expires_in / interval as strings', async () => {
    const r = await m.form(`/${d.tenant}/oauth2/devicecode`, { client_id: d.cli, resource: 'https://graph.microsoft.com' });
    expect(r.statusCode).toBe(200);
    const b = json(r);
    expect(Object.keys(b)).toEqual(['user_code', 'device_code', 'verification_url', 'expires_in', 'interval', 'message']);
    expect(b.verification_url).toBe(`${ORIGIN}/common/oauth2/deviceauth`);
    expect(b.expires_in).toBe('900');
    expect(b.interval).toBe('5');
  });

  it('refuses as the token endpoint does: no client_id, an unknown client, no scope, a single-tenant app on /common, GET', async () => {
    const codes = async (path: string, fields: Record<string, string>) => json(await m.form(path, fields)).error_codes;
    expect(await codes(`/${d.tenant}/oauth2/v2.0/devicecode`, { scope: 'openid' })).toEqual([900144]);
    expect(await codes(`/${d.tenant}/oauth2/v2.0/devicecode`, { client_id: CONTOSO.tenantId, scope: 'openid' })).toEqual([700016]);
    const noScope = await m.form(`/${d.tenant}/oauth2/v2.0/devicecode`, { client_id: d.cli });
    expect(noScope.statusCode).toBe(400);
    expect(firstLine(noScope)).toBe("AADSTS900144: The request body must contain the following parameter: 'scope'.");
    expect(await codes(`/${d.tenant}/oauth2/devicecode`, { client_id: d.cli })).toEqual([900144]);
    expect(await codes('/common/oauth2/v2.0/devicecode', { client_id: CONTOSO.openMetadataUi.appId, scope: 'openid' })).toEqual([50194]);
    expect(json(await m.inject(`/${d.tenant}/oauth2/v2.0/devicecode`)).error_codes).toEqual([900561]);
  });
});

describe('polling the token endpoint', () => {
  it('authorization_pending AADSTS70016 until the user finishes, in Entra’s JSON', async () => {
    const a = await startDeviceFlow(m, d.tenant, d.cli);
    for (let i = 0; i < 2; i++) {
      const r = await poll(m, d.tenant, d.cli, a.device_code);
      expect(r.statusCode).toBe(400);
      const b = json(r);
      expect(Object.keys(b)).toEqual(['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
      expect(b.error).toBe('authorization_pending');
      expect(firstLine(r)).toBe('AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
      expect(b.error_codes).toEqual([70016]);
      expect(b.error_uri).toBe(`${ORIGIN}/error?code=70016`);
    }
  });

  it('tokens once the user signs in (automation): access, refresh and ID token for the same user, once', async () => {
    const a = await startDeviceFlow(m, d.tenant, d.cli);
    const page = await approveByAutomation(m, a.user_code, ADELE.upn);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You have signed in to Contoso CLI on your device. You may now close this window.');
    const r = await poll(m, d.tenant, d.cli, a.device_code, { client_info: '1' });
    expect(r.statusCode).toBe(200);
    const b = json(r);
    expect(Object.keys(b)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token', 'client_info']);
    expect(b.scope).toBe('User.Read profile openid');
    const id = decodePart(String(b.id_token), 1);
    expect(id).toMatchObject({ aud: d.cli, oid: ADELE.id, tid: d.tenant, preferred_username: ADELE.upn, sub: pairwiseSubject(d.tenant, d.cli, ADELE.id) });
    const at = decodePart(String(b.access_token), 1);
    expect(at).toMatchObject({
      aud: '00000003-0000-0000-c000-000000000000',
      appid: d.cli,
      oid: ADELE.id,
      scp: 'email openid profile User.Read',
    });
    // Redeemed once; the refresh token works for the public client without a secret.
    const again = await poll(m, d.tenant, d.cli, a.device_code);
    expect(json(again).error).toBe('invalid_grant');
    expect(firstLine(again)).toBe("AADSTS70000: The provided value for the 'device_code' parameter is not valid.");
    const refreshed = await m.form(`/${d.tenant}/oauth2/v2.0/token`, { grant_type: 'refresh_token', client_id: d.cli, refresh_token: String(b.refresh_token) });
    expect(refreshed.statusCode).toBe(200);
  });

  it('the short grant_type `device_code` (MSAL Node) works the same; no ID token without openid, no refresh token without offline_access', async () => {
    const a = await startDeviceFlow(m, d.tenant, d.cli, 'User.Read');
    await approveByAutomation(m, a.user_code, ADELE.upn);
    const r = await m.form(`/${d.tenant}/oauth2/v2.0/token`, { grant_type: 'device_code', client_id: d.cli, device_code: a.device_code });
    expect(r.statusCode).toBe(200);
    expect(Object.keys(json(r))).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token']);
  });

  it('v1: grant_type=device_code with `code` (ADAL) answers a v1 ID token and a refresh token', async () => {
    const r0 = await m.form(`/${d.tenant}/oauth2/devicecode`, { client_id: d.cli, resource: 'https://graph.microsoft.com' });
    const a = json(r0) as { user_code: string; device_code: string };
    await approveByAutomation(m, a.user_code, ADELE.upn);
    const r = await m.form(`/${d.tenant}/oauth2/token`, {
      grant_type: 'device_code',
      client_id: d.cli,
      code: a.device_code,
      resource: 'https://graph.microsoft.com',
    });
    expect(r.statusCode).toBe(200);
    const b = json(r);
    expect(b).toHaveProperty('refresh_token');
    expect(decodePart(String(b.id_token), 1).ver).toBe('1.0');
  });

  it('expired_token AADSTS70020 after 900 s on the tenant clock', async () => {
    const t = await deviceTenant(m);
    const a = await startDeviceFlow(m, t.tenant, t.cli);
    await advanceClock(m, t.tenant, 899);
    expect(json(await poll(m, t.tenant, t.cli, a.device_code)).error).toBe('authorization_pending');
    await advanceClock(m, t.tenant, 1);
    const r = await poll(m, t.tenant, t.cli, a.device_code);
    expect(r.statusCode).toBe(400);
    expect(json(r).error).toBe('expired_token');
    expect(firstLine(r)).toBe("AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
    // The page no longer takes its user code either.
    const page = await approveByAutomation(m, a.user_code, ADELE.upn);
    expect(page.body).toContain('That code didn&#39;t work. Check the code and try again.');
  });

  it('bad_verification_code AADSTS70018 for a code never issued, or issued to another client', async () => {
    const r = await poll(m, d.tenant, d.cli, 'DAQABIQEAAADnot-a-code');
    expect(r.statusCode).toBe(400);
    expect(json(r).error).toBe('bad_verification_code');
    expect(firstLine(r)).toBe("AADSTS70018: The device_code sent to the /token endpoint wasn't recognized.");
    const a = await startDeviceFlow(m, d.tenant, d.cli);
    expect(json(await poll(m, d.tenant, d.unconsented, a.device_code)).error_codes).toEqual([70018]);
    const missing = await m.form(`/${d.tenant}/oauth2/v2.0/token`, { grant_type: DEVICE_GRANT, client_id: d.cli });
    expect(firstLine(missing)).toBe("AADSTS900144: The request body must contain the following parameter: 'device_code'.");
  });

  it('a confidential app (public client flows off) without a credential: AADSTS7000218 once the user has answered; with its secret: tokens', async () => {
    const bridge = CONTOSO.bridge;
    const a = await startDeviceFlow(m, T, bridge.appId, 'openid User.Read');
    expect(json(await poll(m, T, bridge.appId, a.device_code)).error).toBe('authorization_pending');
    await approveByAutomation(m, a.user_code, ADELE.upn);
    const r = await poll(m, T, bridge.appId, a.device_code);
    expect(r.statusCode).toBe(401);
    expect(json(r).error_codes).toEqual([7000218]);
    const ok = await poll(m, T, bridge.appId, a.device_code, { client_secret: bridge.secret });
    expect(ok.statusCode).toBe(200);
  });
});

describe('the device sign-in page', () => {
  it('shows the code box (otc) with the pages’ headers; an unknown code shows the error and the box again', async () => {
    const r = await m.inject(DEVICE_PAGE);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'; form-action 'self'");
    expect(r.body).toContain('<input type="text" name="otc" id="otc"');
    expect(r.body).toContain('Enter the code displayed on your app or device.');
    const bad = await postForm(m, DEVICE_PAGE, [['otc', 'ZZZZZZZZZ']]);
    expect(bad.body).toContain('id="otcError"');
  });

  it('interactive: code → account → "Are you trying to sign in to …?" → Continue → signed in; the device gets tokens', async () => {
    const a = await startDeviceFlow(m, d.tenant, d.cli);
    // Lower case and a dash, as a person types it.
    const typed = `${a.user_code.slice(0, 4).toLowerCase()}-${a.user_code.slice(4)}`;
    const { page, cookie } = await signInOnPage(m, typed, ADELE.upn);
    expect(page.body).toContain('Are you trying to sign in to <span id="app-name">Contoso CLI</span>?');
    expect(json(await poll(m, d.tenant, d.cli, a.device_code)).error).toBe('authorization_pending');
    const done = await answerLastPage(m, page, cookie, 'accept');
    expect(done.body).toContain('You have signed in to Contoso CLI on your device. You may now close this window.');
    expect((await poll(m, d.tenant, d.cli, a.device_code)).statusCode).toBe(200);
  });

  it('Cancel declines: authorization_declined on the next poll', async () => {
    const a = await startDeviceFlow(m, d.tenant, d.cli);
    const { page, cookie } = await signInOnPage(m, a.user_code, ADELE.upn);
    const done = await answerLastPage(m, page, cookie, 'cancel');
    expect(done.body).toContain('id="device-declined"');
    const r = await poll(m, d.tenant, d.cli, a.device_code);
    expect(r.statusCode).toBe(400);
    expect(json(r).error).toBe('authorization_declined');
    expect(firstLine(r)).toBe('AADSTS65004: User declined to consent to access the app.');
  });

  it('consent: an app nobody consented to shows "Permissions requested"; Accept records it and the device gets tokens', async () => {
    const a = await startDeviceFlow(m, d.tenant, d.unconsented, 'User.Read');
    const auto = await approveByAutomation(m, a.user_code, ADELE.upn);
    expect(auto.body).toContain('Permissions requested');
    expect(auto.body).toContain('data-scope="User.Read"');
    const cookie = String(auto.headers['set-cookie']).split(';')[0]!;
    const done = await answerLastPage(m, auto, cookie, 'accept');
    expect(done.body).toContain('You have signed in to Contoso Tool on your device.');
    const r = await poll(m, d.tenant, d.unconsented, a.device_code);
    expect(r.statusCode).toBe(200);
    expect(decodePart(String(json(r).access_token), 1).scp).toBe('User.Read');
  });

  it('the last step needs its own page token and the session it was shown for (a cross-site post cannot approve)', async () => {
    const a = await startDeviceFlow(m, d.tenant, d.cli);
    const { page, cookie } = await signInOnPage(m, a.user_code, ADELE.upn);
    const forged = hiddenFields(page.body).map(([k, v]): [string, string] => [k, k === 'flowToken' ? 'forged' : v]);
    const r = await postForm(m, DEVICE_PAGE, [...forged, ['consent', 'accept']], cookie);
    expect(r.body).toContain('AADSTS50089');
    // Without the session cookie, the user is asked to sign in again and nothing is approved.
    const noCookie = await postForm(m, DEVICE_PAGE, [...hiddenFields(page.body), ['consent', 'accept']]);
    expect(noCookie.body).toContain('Pick an account');
    expect(json(await poll(m, d.tenant, d.cli, a.device_code)).error).toBe('authorization_pending');
    // An answer by GET (a link on another site) is refused.
    const get = await m.inject(`${DEVICE_PAGE}?${new URLSearchParams([...hiddenFields(page.body), ['consent', 'accept']]).toString()}`);
    expect(get.body).toContain('AADSTS900561');
  });

  it('a user with a password: the password step on the page; automation needs mock_password, a wrong one is AADSTS50126', async () => {
    const t = await deviceTenant(m, (f) => {
      for (const u of f.users ?? []) if (u.userPrincipalName === CONTOSO.users.megan.upn) Object.assign(u, { password: 'Winter2025!' });
    });
    const megan = CONTOSO.users.megan.upn;
    const a = await startDeviceFlow(m, t.tenant, t.cli);
    const withoutPassword = await approveByAutomation(m, a.user_code, megan);
    expect(withoutPassword.body).toContain('Enter password');
    const wrong = await m.inject(
      `${DEVICE_PAGE}?${new URLSearchParams({ otc: a.user_code, mock_login: 'auto', login_hint: megan, mock_password: 'Winter2024!' }).toString()}`,
    );
    expect(wrong.headers['x-ms-ests-error']).toBe('50126');
    // Interactive: pick Megan, then her password.
    const login = await postForm(m, DEVICE_PAGE, [['otc', a.user_code]]);
    const passwordPage = await postForm(m, DEVICE_PAGE, [...hiddenFields(login.body), ['loginfmt', megan]]);
    expect(passwordPage.body).toContain('Enter password');
    const confirm = await postForm(m, DEVICE_PAGE, [...hiddenFields(passwordPage.body), ['passwd', 'Winter2025!']]);
    expect(confirm.body).toContain('Are you trying to sign in to');
    const cookie = String(confirm.headers['set-cookie']).split(';')[0]!;
    await answerLastPage(m, confirm, cookie, 'accept');
    const r = await poll(m, t.tenant, t.cli, a.device_code);
    expect(r.statusCode).toBe(200);
    expect(decodePart(String(json(r).id_token), 1).preferred_username).toBe(megan);
  });

  it('keeps at most 1000 pending device codes per tenant: the oldest then answers expired_token', async () => {
    const t = await deviceTenant(m);
    const first = await startDeviceFlow(m, t.tenant, t.cli);
    for (let i = 0; i < 1000; i++) await m.form(`/${t.tenant}/oauth2/v2.0/devicecode`, { client_id: t.cli, scope: 'User.Read' });
    expect(json(await poll(m, t.tenant, t.cli, first.device_code)).error).toBe('expired_token');
  });
});
