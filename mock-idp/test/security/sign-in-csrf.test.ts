import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { formatMessage } from '../../src/errors/catalog.js';
import { serveMock, send, T, type ServedMock } from './control-support.js';
import {
  ADELE,
  BRIDGE,
  BRIDGE_QUERY,
  authorizePath,
  get,
  hiddenFields,
  newTenant,
  pageError,
  postForm,
  redirectParams,
  sessionCookie,
  signInAuto,
} from './sign-in-support.js';

/**
 * Issue 9 item 4 — consent and sign-in by cross-site request. The ESTSAUTH cookie is
 * SameSite=None, so a page on another site could post `mock_action=consent&consent=accept` to
 * /authorize with any `mock_sid` and the victim's cookie: an unknown sid fell back to the last
 * signed-in account, consent was recorded and a code came back; the same worked by GET. Now the
 * pages carry a one-time token, form actions are POST only, and the pages cannot be framed.
 */
let s: ServedMock;
beforeAll(async () => {
  s = await serveMock();
});
afterAll(() => s.close());

const FLOW_TOKEN_EXPIRED = formatMessage(50089, {});
const ATTACKER = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
const authorizeAt = (tenant: string): string => `/${tenant}/oauth2/v2.0/authorize`;

/** A tenant where nobody consented to the bridge: signing in shows the consent page. */
const noConsentTenant = (): Promise<string> =>
  newTenant(s.port, (f: TenantFixture) => {
    f.oauth2PermissionGrants = [];
  });

async function grants(tenant: string): Promise<unknown[]> {
  const r = await send(s.port, 'GET', `/_mock/tenants/${tenant}`);
  return (r.json as { fixture: TenantFixture }).fixture.oauth2PermissionGrants ?? [];
}

/** The victim signs in (mock_login=auto) and is shown the consent page: the cookie and the page. */
async function victimAtConsent(tenant: string): Promise<{ cookie: string; page: string }> {
  const r = await get(s.port, authorizePath(tenant, { ...BRIDGE_QUERY, login_hint: ADELE, mock_login: 'auto' }));
  const cookie = sessionCookie(r);
  if (r.status !== 200 || !r.body.includes('Permissions requested') || !cookie) throw new Error(`no consent page: ${r.status}`);
  return { cookie, page: r.body };
}

const forgedConsent = (sid: string): Array<[string, string]> => [
  ...Object.entries(BRIDGE_QUERY),
  ['mock_action', 'consent'],
  ['consent', 'accept'],
  ['mock_sid', sid],
];

describe('consent by cross-site request', () => {
  it('a cross-site form POST with mock_action=consent, consent=accept and any mock_sid gets AADSTS50089, no code and no consent', async () => {
    const tenant = await noConsentTenant();
    const { cookie, page } = await victimAtConsent(tenant);
    const realSid = hiddenFields(page).find(([k]) => k === 'mock_sid')![1];
    for (const sid of ['00000000-0000-0000-0000-000000000000', realSid]) {
      const r = await postForm(s.port, authorizeAt(tenant), forgedConsent(sid), cookie, ATTACKER);
      expect(r.status).toBe(200);
      expect(r.headers.location).toBeUndefined();
      expect(pageError(r)).toBe(50089);
      expect(r.body).toContain(`AADSTS50089: ${FLOW_TOKEN_EXPIRED}<`);
    }
    expect(await grants(tenant)).toEqual([]);
  });

  it('the same by GET (a link or an <img> on another site) gets AADSTS900561 on the error page', async () => {
    const tenant = await noConsentTenant();
    const { cookie } = await victimAtConsent(tenant);
    const r = await get(s.port, authorizePath(tenant, Object.fromEntries(forgedConsent('00000000-0000-0000-0000-000000000000'))), cookie, ATTACKER);
    expect(r.status).toBe(200);
    expect(r.headers.location).toBeUndefined();
    expect(pageError(r)).toBe(900561);
    expect(r.body).toContain(`AADSTS900561: ${formatMessage(900561, { method: 'GET' })}<`);
    // A GET "submitting" the sign-in form is refused the same way.
    const login = await get(s.port, authorizePath(tenant, { ...BRIDGE_QUERY, mock_action: 'login', loginfmt: ADELE }), undefined, ATTACKER);
    expect(pageError(login)).toBe(900561);
    expect(sessionCookie(login)).toBeUndefined();
    expect(await grants(tenant)).toEqual([]);
  });

  it('the attacker’s own consent page token, posted with the victim’s cookie, grants nothing: the token is bound to the session it was shown for', async () => {
    const tenant = await noConsentTenant();
    const victim = await victimAtConsent(tenant);
    const attacker = await victimAtConsent(tenant); // another browser, its own session and page
    const fields: Array<[string, string]> = [...hiddenFields(attacker.page), ['consent', 'accept']];
    const r = await postForm(s.port, authorizeAt(tenant), fields, victim.cookie, ATTACKER);
    expect(r.status).toBe(200);
    expect(r.headers.location).toBeUndefined();
    expect(r.body).toContain('Pick an account'); // the victim's browser is asked to sign in, nothing more
    expect(await grants(tenant)).toEqual([]);
  });

  it('a page token works once, for its own client and tenant only', async () => {
    const tenant = await noConsentTenant();
    const { cookie, page } = await victimAtConsent(tenant);
    const fields: Array<[string, string]> = [...hiddenFields(page), ['consent', 'accept']];
    // Another tenant: the token is unknown there.
    const elsewhere = await postForm(s.port, authorizeAt(T), fields, cookie);
    expect(pageError(elsewhere)).toBe(50089);
    const ok = await postForm(s.port, authorizeAt(tenant), fields, cookie);
    expect(ok.status).toBe(302);
    expect(redirectParams(ok).get('code')).toBeTruthy();
    const again = await postForm(s.port, authorizeAt(tenant), fields, cookie);
    expect(pageError(again)).toBe(50089);
    expect(again.headers.location).toBeUndefined();
  });

  it('a sign-in form posted without its token (login CSRF) sets no session', async () => {
    const r = await postForm(s.port, authorizeAt(T), [...Object.entries(BRIDGE_QUERY), ['mock_action', 'login'], ['loginfmt', ADELE]], undefined, ATTACKER);
    expect(pageError(r)).toBe(50089);
    expect(sessionCookie(r)).toBeUndefined();
    expect(r.headers.location).toBeUndefined();
  });

  it('the page’s own form still signs in (hidden token carried, as the browser posts it)', async () => {
    const shown = await get(s.port, authorizePath(T, BRIDGE_QUERY));
    expect(shown.body).toMatch(/<input type="hidden" name="flowToken" value="[\w-]{43}" \/>/);
    const r = await postForm(s.port, authorizeAt(T), [...hiddenFields(shown.body), ['loginfmt', ADELE]]);
    expect(r.status).toBe(302);
    expect(redirectParams(r).get('code')).toBeTruthy();
    expect(sessionCookie(r)).toBeTruthy();
  });
});

describe('framing and content policy', () => {
  const expectUnframeable = (r: { headers: Record<string, string | string[] | undefined> }): string => {
    expect(r.headers['x-frame-options']).toBe('DENY');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    return csp;
  };

  it('the sign-in, password, consent and error pages cannot be framed and run no script; their forms post only here and to the app', async () => {
    const signIn = await get(s.port, authorizePath(T, BRIDGE_QUERY));
    expect(signIn.body).toContain('Pick an account');
    expect(expectUnframeable(signIn)).toContain(`form-action 'self' ${new URL(BRIDGE.redirectUri).origin}`);
    const tenant = await newTenant(s.port, (f) => {
      f.users = (f.users ?? []).map((u) => (u.userPrincipalName === ADELE ? { ...u, password: 'S3cret!' } : u));
      f.oauth2PermissionGrants = [];
    });
    const shown = await get(s.port, authorizePath(tenant, BRIDGE_QUERY));
    const password = await postForm(s.port, authorizeAt(tenant), [...hiddenFields(shown.body), ['loginfmt', ADELE]]);
    expect(password.body).toContain('Enter password');
    expectUnframeable(password);
    const consent = await postForm(s.port, authorizeAt(tenant), [...hiddenFields(password.body), ['passwd', 'S3cret!']]);
    expect(consent.body).toContain('Permissions requested');
    expectUnframeable(consent);
    const error = await get(s.port, authorizePath(T, { ...BRIDGE_QUERY, redirect_uri: 'https://evil.example/steal' }));
    expect(pageError(error)).toBe(50011);
    expect(expectUnframeable(error)).toContain("form-action 'none'");
  });

  it('the signed-out page cannot be framed but may frame the apps’ front-channel logout URLs', async () => {
    const r = await get(s.port, `/${T}/oauth2/v2.0/logout`);
    expect(r.body).toContain('You signed out');
    expect(expectUnframeable(r)).toContain('frame-src http: https:');
  });

  it('redirects and form_post answers carry neither header: a prompt=none answer is a plain redirect, usable in a hidden iframe', async () => {
    const { cookie } = await signInAuto(s.port);
    const silent = await get(s.port, authorizePath(T, { ...BRIDGE_QUERY, prompt: 'none' }), cookie);
    expect(silent.status).toBe(302);
    expect(redirectParams(silent).get('code')).toBeTruthy();
    expect(silent.headers['x-frame-options']).toBeUndefined();
    expect(silent.headers['content-security-policy']).toBeUndefined();
    const noSession = await get(s.port, authorizePath(T, { ...BRIDGE_QUERY, prompt: 'none' }));
    expect(noSession.status).toBe(302);
    expect(redirectParams(noSession).get('error')).toBe('login_required');
    expect(noSession.headers['x-frame-options']).toBeUndefined();
    const formPost = await get(s.port, authorizePath(T, { ...BRIDGE_QUERY, prompt: 'none', response_mode: 'form_post' }), cookie);
    expect(formPost.body).toContain('name="hiddenform"');
    expect(formPost.headers['x-frame-options']).toBeUndefined();
    expect(formPost.headers['content-security-policy']).toBeUndefined();
  });
});
