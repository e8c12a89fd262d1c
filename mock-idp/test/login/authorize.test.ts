import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, authorize, BRIDGE_AUTH, decodePart, json } from '../support/mock-app.js';
import { halfHash } from '../../src/tokens/subject.js';

/** The sign-in and consent forms carry a one-time page token (issue 9): posts take it from the page shown. */
const flowToken = (html: string): string => /name="flowToken" value="([^"]+)"/.exec(html)![1]!;

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const page = (q: Record<string, string>, headers: Record<string, string> = {}) =>
  m.inject({ method: 'GET', url: `/${T}/oauth2/v2.0/authorize?${new URLSearchParams(q).toString()}`, headers });

describe('sign-in page', () => {
  it('lists the tenant’s users to pick, with Entra’s field names', async () => {
    const { mock_login: _auto, login_hint: _hint, ...interactive } = BRIDGE_AUTH;
    const r = await page(interactive);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('name="loginfmt" value="AdeleV@contoso.onmicrosoft.com"');
    expect(r.body).toContain('name="loginfmt" value="MeganB@contoso.onmicrosoft.com"');
    expect(r.body).toContain('id="idSIButton9"');
    expect(r.body).toContain('Identity Bridge');
  });

  it('signs in by posting the picked account, sets the SSO cookie and redirects with the code', async () => {
    const { mock_login: _a, login_hint: _h, ...q } = BRIDGE_AUTH;
    const shown = await page(q);
    const r = await m.inject({
      method: 'POST',
      url: `/${T}/oauth2/v2.0/authorize`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...q, mock_action: 'login', loginfmt: CONTOSO.users.alex.upn, flowToken: flowToken(shown.body) }).toString(),
    });
    expect(r.statusCode).toBe(302);
    const loc = new URL(String(r.headers.location));
    expect(`${loc.origin}${loc.pathname}`).toBe(CONTOSO.bridge.redirectUri);
    expect(loc.searchParams.get('code')).toMatch(/^1\.A[\w-]+$/);
    expect(loc.searchParams.get('state')).toBe('st-123');
    expect(loc.searchParams.get('session_state')).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(r.headers['set-cookie'])).toMatch(/^ESTSAUTH=[\w-]+; Path=\/; HttpOnly; Secure; SameSite=None$/);
  });

  it('asks for the password of a user who has one, and refuses a wrong one on the page', async () => {
    const t = await createTenantWith({ password: 'P@ssw0rd!' });
    const base = { ...BRIDGE_AUTH, mock_login: '' };
    delete (base as Record<string, string>).mock_login;
    let shown = (await m.inject(`/${t}/oauth2/v2.0/authorize?${new URLSearchParams(base).toString()}`)).body;
    const post = async (fields: Record<string, string>) => {
      const r = await m.inject({
        method: 'POST',
        url: `/${t}/oauth2/v2.0/authorize`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...base, mock_action: 'login', ...fields, flowToken: flowToken(shown) }).toString(),
      });
      shown = r.body;
      return r;
    };
    const step1 = await post({ loginfmt: 'pat@pw.example.com' });
    expect(step1.statusCode).toBe(200);
    expect(step1.body).toContain('Enter password');
    const wrong = await post({ loginfmt: 'pat@pw.example.com', passwd: 'nope' });
    expect(wrong.body).toContain('Your account or password is incorrect.');
    const ok = await post({ loginfmt: 'pat@pw.example.com', passwd: 'P@ssw0rd!' });
    expect(ok.statusCode).toBe(302);
    expect(new URL(String(ok.headers.location)).searchParams.get('code')).toBeTruthy();
  });

  it('escapes fixture values in HTML (a display name with <script> shows as text)', async () => {
    const t = await createTenantWith({ displayName: '<script>alert(1)</script>' });
    const r = await m.inject(
      `/${t}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: CONTOSO.bridge.appId, redirect_uri: CONTOSO.bridge.redirectUri, response_type: 'code', scope: 'openid' })}`,
    );
    expect(r.body).not.toContain('<script>alert(1)</script>');
    expect(r.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('redirect URI rules', () => {
  it.each([
    ['a trailing slash', `${CONTOSO.bridge.redirectUri}/`],
    ['https instead of http', CONTOSO.bridge.redirectUri.replace('http:', 'https:')],
    ['a different path case', CONTOSO.bridge.redirectUri.replace('vc-5f2a9c', 'VC-5f2a9c')],
    ['no verification code (PingOne steps 14–15)', 'http://localhost:7000/sso/callback'],
  ])('shows AADSTS50011 on the error page and never redirects for %s', async (_what, uri) => {
    const r = await authorize(m, { ...BRIDGE_AUTH, redirect_uri: uri });
    expect(r.status).toBe(200);
    expect(r.location).toBeUndefined();
    expect(r.body).toContain(
      `AADSTS50011: The redirect URI &#39;${uri}&#39; specified in the request does not match the redirect URIs configured for the application &#39;${CONTOSO.bridge.appId}&#39;.`,
    );
  });

  it('ignores the port of an http://localhost redirect URI (Entra’s localhost exception)', async () => {
    const uri = 'http://localhost:59123/sso/callback/vc-5f2a9c';
    const r = await authorize(m, { ...BRIDGE_AUTH, redirect_uri: uri });
    expect(r.status).toBe(302);
    expect(r.location!.startsWith(`${uri}?code=`)).toBe(true);
  });
});

describe('response modes and types', () => {
  it('posts the code with form_post', async () => {
    const r = await authorize(m, { ...BRIDGE_AUTH, response_mode: 'form_post' });
    expect(r.status).toBe(200);
    expect(r.body).toContain(`action="${CONTOSO.bridge.redirectUri}"`);
    expect(r.body).toMatch(/name="code" value="1\.A[\w-]+"/);
    expect(r.body).toContain('name="state" value="st-123"');
  });

  it('issues the SPA’s hybrid code id_token in the fragment, with c_hash and the nonce', async () => {
    const r = await authorize(m, {
      client_id: CONTOSO.openMetadataUi.appId,
      redirect_uri: CONTOSO.openMetadataUi.redirectUri,
      response_type: 'code id_token',
      scope: 'openid profile',
      nonce: 'n-1',
      state: 's',
      mock_login: 'auto',
      login_hint: CONTOSO.users.adele.upn,
    });
    expect(r.status).toBe(302);
    expect(r.location!.startsWith(`${CONTOSO.openMetadataUi.redirectUri}#code=`)).toBe(true);
    const idt = decodePart(r.params.get('id_token')!, 1);
    expect(idt.nonce).toBe('n-1');
    expect(idt.c_hash).toBe(halfHash(r.params.get('code')!));
    expect(idt.aud).toBe(CONTOSO.openMetadataUi.appId);
  });

  it('issues an implicit access token for the SPA’s own API with at_hash on the ID token', async () => {
    const r = await authorize(m, {
      client_id: CONTOSO.openMetadataUi.appId,
      redirect_uri: CONTOSO.openMetadataUi.redirectUri,
      response_type: 'id_token token',
      scope: `openid ${CONTOSO.openMetadataUi.scope}`,
      nonce: 'n-2',
      mock_login: 'auto',
      login_hint: CONTOSO.users.adele.upn,
    });
    expect(r.status).toBe(302);
    expect(r.params.get('token_type')).toBe('Bearer');
    expect(r.params.get('scope')).toBe(`${CONTOSO.openMetadataUi.scope} openid`);
    const at = r.params.get('access_token')!;
    expect(decodePart(at, 1)).toMatchObject({ aud: CONTOSO.openMetadataUi.apiUri, scp: 'access_as_user', ver: '1.0', appid: CONTOSO.openMetadataUi.appId });
    expect(decodePart(r.params.get('id_token')!, 1).at_hash).toBe(halfHash(at));
  });

  // Changed on purpose (issue 11): with a registered redirect URI, AADSTS700054 goes back to the
  // app in the fragment; the error page is for a redirect URI that is not registered.
  it('refuses id_token for an app without the ID tokens switch: back to a registered redirect URI in the fragment (AADSTS700054)', async () => {
    const r = await authorize(m, { ...BRIDGE_AUTH, response_type: 'id_token', nonce: 'x' });
    expect(r.status).toBe(302);
    expect(r.location!.startsWith(`${CONTOSO.bridge.redirectUri}#error=unsupported_response_type&error_description=AADSTS700054%3a+`)).toBe(true);
    expect(r.params.get('error_description')!.split('\r\n')[0]).toBe("AADSTS700054: response_type 'id_token' is not enabled for the application.");
    expect(r.params.get('state')).toBe('st-123');
  });

  it('shows AADSTS700054 on the error page when the redirect URI is not registered', async () => {
    const r = await authorize(m, { ...BRIDGE_AUTH, response_type: 'id_token', nonce: 'x', redirect_uri: 'https://bridge.contoso.example/elsewhere' });
    expect(r.location).toBeUndefined();
    expect(r.body).toContain('AADSTS700054: response_type &#39;id_token&#39; is not enabled for the application.');
  });
});

describe('prompt and SSO', () => {
  it('signs in silently with the SSO cookie, and prompt=none works with it', async () => {
    const first = await authorize(m, BRIDGE_AUTH);
    const { mock_login: _a, login_hint: _h, ...q } = BRIDGE_AUTH;
    const again = await authorize(m, q, { cookie: first.cookie! });
    expect(again.status).toBe(302);
    expect(again.params.get('code')).toBeTruthy();
    expect(again.params.get('session_state')).toBe(first.params.get('session_state'));
    const silent = await authorize(m, { ...q, prompt: 'none' }, { cookie: first.cookie! });
    expect(silent.params.get('code')).toBeTruthy();
  });

  it('prompt=login shows the sign-in page even with a session', async () => {
    const first = await authorize(m, BRIDGE_AUTH);
    const { mock_login: _a, login_hint: _h, ...q } = BRIDGE_AUTH;
    const r = await authorize(m, { ...q, prompt: 'login' }, { cookie: first.cookie! });
    expect(r.status).toBe(200);
    expect(r.body).toContain('Pick an account');
  });

  it('prompt=none without a session redirects with login_required (AADSTS50058)', async () => {
    const { mock_login: _a, ...q } = BRIDGE_AUTH;
    const r = await authorize(m, { ...q, prompt: 'none' });
    expect(r.status).toBe(302);
    expect(r.params.get('error')).toBe('login_required');
    expect(r.params.get('error_description')).toMatch(/^AADSTS50058: A silent sign-in request was sent but no user is signed in\.\r\nTrace ID: /);
    expect(r.params.get('state')).toBe('st-123');
    expect(r.location).toContain('error_description=AADSTS50058%3a+A+silent+sign-in');
  });
});

describe('consent', () => {
  it('shows the consent page for permissions nobody granted, and Accept records the user’s consent', async () => {
    const t = await createTenantWith({});
    await m.inject({
      method: 'PATCH',
      url: `/_mock/tenants/${t}/fixture`,
      headers: { 'content-type': 'application/json-patch+json' },
      payload: JSON.stringify([{ op: 'replace', path: '/oauth2PermissionGrants', value: [] }]),
    });
    const q = { ...BRIDGE_AUTH, login_hint: 'pat@pw.example.com' };
    const r = await authorize(m, q, { tenant: t });
    expect(r.status).toBe(200);
    expect(r.body).toContain('Permissions requested');
    expect(r.body).toContain('data-scope="User.Read"');
    const sid = /name="mock_sid" value="([^"]+)"/.exec(r.body)![1]!;
    const accept = await m.inject({
      method: 'POST',
      url: `/${t}/oauth2/v2.0/authorize`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: r.cookie! },
      payload: new URLSearchParams({ ...q, mock_login: '', mock_action: 'consent', consent: 'accept', mock_sid: sid, flowToken: flowToken(r.body) }).toString(),
    });
    expect(accept.statusCode).toBe(302);
    expect(new URL(String(accept.headers.location)).searchParams.get('code')).toBeTruthy();
    const fixture = json(await m.inject(`/_mock/tenants/${t}`)).fixture as { oauth2PermissionGrants: unknown[] };
    expect(fixture.oauth2PermissionGrants).toEqual([
      {
        clientId: CONTOSO.bridge.appId,
        consentType: 'Principal',
        principalId: PAT,
        resourceId: '00000003-0000-0000-c000-000000000000',
        scope: 'openid profile email offline_access User.Read',
      },
    ]);
  });
});

const PAT = '5d1b2c3a-0000-4000-8000-00000000aaaa';
let tenantCounter = 0;

/** A small tenant with the bridge app and one user, created through the control API. */
async function createTenantWith(user: { password?: string; displayName?: string }): Promise<string> {
  tenantCounter += 1;
  const id = `6e0c4a51-0000-4000-8000-${String(tenantCounter).padStart(12, '0')}`;
  const r = await m.inject({
    method: 'POST',
    url: '/_mock/tenants',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({
      id,
      displayName: 'Password Tenant',
      verifiedDomains: [`pw${tenantCounter}.example.com`],
      applications: [
        {
          appId: CONTOSO.bridge.appId,
          displayName: 'Identity Bridge',
          web: { redirectUris: [CONTOSO.bridge.redirectUri] },
          passwordCredentials: [{ keyId: CONTOSO.bridge.secretKeyId, secretText: CONTOSO.bridge.secret }],
        },
      ],
      oauth2PermissionGrants: [
        {
          clientId: CONTOSO.bridge.appId,
          consentType: 'AllPrincipals',
          resourceId: '00000003-0000-0000-c000-000000000000',
          scope: 'openid profile email offline_access User.Read',
        },
      ],
      users: [
        { id: PAT, userPrincipalName: 'pat@pw.example.com', displayName: user.displayName ?? 'Pat', ...(user.password ? { password: user.password } : {}) },
      ],
    }),
  });
  if (r.statusCode !== 201) throw new Error(r.body);
  return id;
}
