import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { decodePart, json, mockApp, ORIGIN, type TestMock } from '../support/mock-app.js';
import { hiddenFields, postForm, sessionCookie } from '../errors/flows.js';
import { escapeHtml } from '../errors/expect-surface.js';
import { FABRIKAM, fabrikam, GRAPH, INTRANET, NORTHWIND, northwind, PORTAL, TAILSPIN, tailspin } from './tenants.js';

/**
 * Sign-in from other tenants, through inject: a multi-tenant app of Tailspin signed in to through
 * /organizations by users of Fabrikam and Northwind — user consent, admin consent (v1 and v2),
 * the service principal created in the user's tenant, tokens with that tenant's tid and issuer;
 * and a single-tenant app refusing them (AADSTS50020).
 * https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant
 */

let m: TestMock;

beforeEach(async () => {
  m = await mockApp();
  for (const f of [tailspin(), fabrikam(), northwind()]) {
    const r = await m.inject({ method: 'POST', url: '/_mock/tenants', payload: f as unknown as Record<string, unknown> });
    expect(r.statusCode, r.body).toBe(201);
  }
});
afterEach(() => m?.close());

const SCOPE = 'openid profile offline_access User.Read';

const authorizeAt = (tenant: string, params: Record<string, string>): string =>
  `/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams({
    client_id: PORTAL.appId,
    response_type: 'code',
    redirect_uri: PORTAL.redirectUri,
    scope: SCOPE,
    state: 'st-1',
    mock_login: 'auto',
    ...params,
  }).toString()}`;

/** The query of the redirect back to the app. */
function redirected(r: LightMyRequestResponse, to: string = PORTAL.redirectUri): URLSearchParams {
  expect(r.statusCode, r.body.slice(0, 400)).toBe(302);
  const location = String(r.headers.location);
  expect(location.startsWith(`${to}?`), location).toBe(true);
  return new URL(location).searchParams;
}

/** Posts the consent page's form with the answer. */
const answerConsent = (page: LightMyRequestResponse, path: string, answer: string) =>
  postForm(m, path.split('?')[0]!, [...hiddenFields(page.body), ['consent', answer]], sessionCookie(page));

const redeem = (code: string, tenant = 'organizations') =>
  m.form(`/${tenant}/oauth2/v2.0/token`, {
    grant_type: 'authorization_code',
    client_id: PORTAL.appId,
    client_secret: PORTAL.secret,
    code,
    redirect_uri: PORTAL.redirectUri,
    scope: SCOPE,
  });

const fixtureOf = async (tenant: string): Promise<TenantFixture> => (json(await m.inject(`/_mock/tenants/${tenant}`)) as { fixture: TenantFixture }).fixture;

describe('user consent in the user’s tenant', () => {
  it("Carol of Fabrikam consents on /organizations: Fabrikam gets the app's service principal and her grant; her tokens are Fabrikam's", async () => {
    const path = authorizeAt('organizations', { login_hint: FABRIKAM.carol.upn, mock_password: 'Carol-2025!' });
    const page = await m.inject(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Permissions requested');
    expect(page.body).toContain(`<b id="app-name">${PORTAL.name}</b>`);
    const q = redirected(await answerConsent(page, path, 'accept'));
    expect(q.get('state')).toBe('st-1');

    const r = await redeem(q.get('code')!);
    expect(r.statusCode, r.body).toBe(200);
    const body = json(r);
    const id = decodePart(String(body.id_token), 1);
    expect([id.tid, id.iss, id.oid, id.preferred_username, id.aud]).toEqual([
      FABRIKAM.id,
      `${ORIGIN}/${FABRIKAM.id}/v2.0`,
      FABRIKAM.carol.id,
      FABRIKAM.carol.upn,
      PORTAL.appId,
    ]);
    const at = decodePart(String(body.access_token), 1);
    expect([at.tid, at.iss, at.aud, at.appid, at.scp]).toEqual([
      FABRIKAM.id,
      `https://sts.windows.net/${FABRIKAM.id}/`,
      GRAPH,
      PORTAL.appId,
      'openid profile User.Read',
    ]);

    // The exported tenant keeps the service principal (with its owner) and the consent, and loads again.
    const f = await fixtureOf(FABRIKAM.id);
    expect(f.servicePrincipals).toEqual([
      { appId: PORTAL.appId, displayName: PORTAL.name, appOwnerOrganizationId: TAILSPIN.id, signInAudience: 'AzureADMultipleOrgs' },
    ]);
    expect(f.oauth2PermissionGrants).toEqual([
      { clientId: PORTAL.appId, consentType: 'Principal', principalId: FABRIKAM.carol.id, resourceId: GRAPH, scope: 'openid profile offline_access User.Read' },
    ]);
    const again = await m.inject({
      method: 'POST',
      url: '/_mock/tenants',
      payload: { ...f, id: 'aa0e2d3c-4b5a-4697-8877-665544332299', verifiedDomains: ['fabrikam2.onmicrosoft.com'] } as unknown as Record<string, unknown>,
    });
    expect(again.statusCode, again.body).toBe(201);
  });

  it('once consented, her next sign-in shows no page, and her refresh token works on /organizations and on Fabrikam’s own endpoint', async () => {
    const path = authorizeAt('organizations', { login_hint: FABRIKAM.carol.upn, mock_password: 'Carol-2025!' });
    await answerConsent(await m.inject(path), path, 'accept');
    const q = redirected(await m.inject(authorizeAt('organizations', { login_hint: FABRIKAM.carol.upn, mock_password: 'Carol-2025!', state: 'st-2' })));
    const rt = String(json(await redeem(q.get('code')!)).refresh_token);
    for (const tenant of ['organizations', FABRIKAM.id, FABRIKAM.domain]) {
      const r = await m.form(`/${tenant}/oauth2/v2.0/token`, {
        grant_type: 'refresh_token',
        client_id: PORTAL.appId,
        client_secret: PORTAL.secret,
        refresh_token: rt,
        scope: 'User.Read',
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(decodePart(String(json(r).access_token), 1).tid).toBe(FABRIKAM.id);
    }
  });

  it('a code redeemed on the user’s tenant endpoint works too; the app’s own tenant does not know it', async () => {
    const path = authorizeAt('organizations', { login_hint: FABRIKAM.carol.upn, mock_password: 'Carol-2025!' });
    const q = redirected(await answerConsent(await m.inject(path), path, 'accept'));
    const wrong = await redeem(q.get('code')!, TAILSPIN.id);
    expect(json(wrong).error_codes).toEqual([9002313]);
    expect((await redeem(q.get('code')!, FABRIKAM.id)).statusCode).toBe(200);
  });

  it('ROPC on /organizations finds Carol’s tenant by her name (after consent)', async () => {
    const path = authorizeAt('organizations', { login_hint: FABRIKAM.carol.upn, mock_password: 'Carol-2025!' });
    await answerConsent(await m.inject(path), path, 'accept');
    const r = await m.form('/organizations/oauth2/v2.0/token', {
      grant_type: 'password',
      client_id: PORTAL.appId,
      client_secret: PORTAL.secret,
      username: FABRIKAM.carol.upn,
      password: 'Carol-2025!',
      scope: 'User.Read',
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(decodePart(String(json(r).access_token), 1).tid).toBe(FABRIKAM.id);
  });

  it('before any consent, Fabrikam’s own endpoints do not know the app: AADSTS700016', async () => {
    const r = await m.form(`/${FABRIKAM.id}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: PORTAL.appId,
      client_secret: PORTAL.secret,
      scope: `${GRAPH}/.default`,
    });
    expect(String(json(r).error_description).split('\r\n')[0]).toBe(
      `AADSTS700016: Application with identifier '${PORTAL.appId}' was not found in the directory '${FABRIKAM.id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  });

  it('Tom of Tailspin (the app’s own tenant) signs in on /organizations as before: Tailspin’s tid', async () => {
    const q = redirected(await m.inject(authorizeAt('organizations', { login_hint: TAILSPIN.tom.upn })));
    expect(decodePart(String(json(await redeem(q.get('code')!)).id_token), 1).tid).toBe(TAILSPIN.id);
  });

  it('prompt=none before consent: consent_required AADSTS65001 back to the app', async () => {
    const signIn = await m.inject(authorizeAt('organizations', { login_hint: NORTHWIND.ned.upn }));
    const q = redirected(
      await m.inject({
        url: authorizeAt('organizations', { login_hint: NORTHWIND.ned.upn, prompt: 'none', mock_login: '' }),
        headers: { cookie: sessionCookie(signIn) },
      }),
    );
    expect(q.get('error')).toBe('consent_required');
    expect(q.get('error_description')?.split('\r\n')[0]).toBe(
      `AADSTS65001: The user or administrator has not consented to use the application with ID '${PORTAL.appId}' named '${PORTAL.name}'. Send an interactive authorization request for this user and resource.`,
    );
  });
});

describe('a tenant where users may not consent', () => {
  it('Ned of Northwind sees "Need admin approval"; returning to the app: access_denied AADSTS90094', async () => {
    const path = authorizeAt('organizations', { login_hint: NORTHWIND.ned.upn });
    const page = await m.inject(path);
    expect(page.body).toContain('Need admin approval');
    const q = redirected(await answerConsent(page, path, 'admin_required'));
    expect([q.get('error'), q.get('error_description')?.split('\r\n')[0], q.get('state')]).toEqual([
      'access_denied',
      'AADSTS90094: The grant requires admin permission.',
      'st-1',
    ]);
    expect((await fixtureOf(NORTHWIND.id)).servicePrincipals).toBeUndefined();
  });
});

describe('admin consent: /{tenant}/v2.0/adminconsent and /{tenant}/adminconsent', () => {
  const adminConsentAt = (path: string, params: Record<string, string>) =>
    `${path}?${new URLSearchParams({ client_id: PORTAL.appId, redirect_uri: PORTAL.redirectUri, state: 'ac-1', mock_login: 'auto', ...params }).toString()}`;

  it('v2: Nina (Global Administrator of Northwind) accepts for her organization; then Ned signs in without a page, with Northwind’s tid', async () => {
    const path = adminConsentAt(`/${NORTHWIND.id}/v2.0/adminconsent`, { scope: 'https://graph.microsoft.com/.default', login_hint: NORTHWIND.nina.upn });
    const page = await m.inject(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h2 id="for-organization">Accept for your organization</h2>');
    expect(page.body).toContain('<li data-scope="User.Read">');
    const done = await answerConsent(page, path, 'accept');
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe(
      `${PORTAL.redirectUri}?admin_consent=True&tenant=${NORTHWIND.id}&scope=https%3a%2f%2fgraph.microsoft.com%2fUser.Read&state=ac-1`,
    );

    const f = await fixtureOf(NORTHWIND.id);
    expect(f.servicePrincipals).toEqual([
      { appId: PORTAL.appId, displayName: PORTAL.name, appOwnerOrganizationId: TAILSPIN.id, signInAudience: 'AzureADMultipleOrgs' },
    ]);
    expect(f.oauth2PermissionGrants).toEqual([{ clientId: PORTAL.appId, consentType: 'AllPrincipals', resourceId: GRAPH, scope: 'User.Read' }]);

    // The tenant-wide grant is User.Read (what the registration lists): Ned asks for just that.
    const q = redirected(await m.inject(authorizeAt('organizations', { login_hint: NORTHWIND.ned.upn, scope: 'https://graph.microsoft.com/User.Read' })));
    const r = await m.form('/organizations/oauth2/v2.0/token', {
      grant_type: 'authorization_code',
      client_id: PORTAL.appId,
      client_secret: PORTAL.secret,
      code: q.get('code')!,
      redirect_uri: PORTAL.redirectUri,
    });
    const at = decodePart(String(json(r).access_token), 1);
    expect([at.tid, at.iss, at.oid, at.scp]).toEqual([NORTHWIND.id, `https://sts.windows.net/${NORTHWIND.id}/`, NORTHWIND.ned.id, 'User.Read']);
  });

  it('v1 (the registration’s permissions) through /organizations: admin_consent=True, tenant and state', async () => {
    const path = adminConsentAt('/organizations/adminconsent', { login_hint: FABRIKAM.bob.upn });
    const page = await m.inject(path);
    const done = await answerConsent(page, path, 'accept');
    expect(done.headers.location).toBe(`${PORTAL.redirectUri}?admin_consent=True&tenant=${FABRIKAM.id}&state=ac-1`);
    expect((await fixtureOf(FABRIKAM.id)).oauth2PermissionGrants).toEqual([
      { clientId: PORTAL.appId, consentType: 'AllPrincipals', resourceId: GRAPH, scope: 'User.Read' },
    ]);
  });

  it('Cancel: error=access_denied with AADSTS65004 and admin_consent=True', async () => {
    const path = adminConsentAt(`/${FABRIKAM.id}/v2.0/adminconsent`, { scope: 'https://graph.microsoft.com/.default', login_hint: FABRIKAM.bob.upn });
    const done = await answerConsent(await m.inject(path), path, 'cancel');
    const q = redirected(done);
    expect([...q.keys()]).toEqual(['error', 'error_description', 'error_uri', 'admin_consent', 'state']);
    expect([q.get('error'), q.get('error_description')?.split('\r\n')[0], q.get('error_uri'), q.get('admin_consent'), q.get('state')]).toEqual([
      'access_denied',
      'AADSTS65004: User declined to consent to access the app.',
      `${ORIGIN}/error?code=65004`,
      'True',
      'ac-1',
    ]);
    expect((await fixtureOf(FABRIKAM.id)).servicePrincipals).toBeUndefined();
  });

  it('a user who is no administrator: "Need admin approval", then access_denied AADSTS90094 with admin_consent=True', async () => {
    const path = adminConsentAt(`/${FABRIKAM.id}/v2.0/adminconsent`, {
      scope: 'https://graph.microsoft.com/.default',
      login_hint: FABRIKAM.carol.upn,
      mock_password: 'Carol-2025!',
    });
    const page = await m.inject(path);
    expect(page.body).toContain('Need admin approval');
    const q = redirected(await answerConsent(page, path, 'admin_required'));
    expect([q.get('error'), q.get('error_description')?.split('\r\n')[0], q.get('admin_consent')]).toEqual([
      'access_denied',
      'AADSTS90094: The grant requires admin permission.',
      'True',
    ]);
  });

  it('an unregistered redirect_uri, an unknown app, a single-tenant app of another tenant: Microsoft’s error page', async () => {
    const badRedirect = await m.inject(
      adminConsentAt(`/${FABRIKAM.id}/v2.0/adminconsent`, { scope: 'https://graph.microsoft.com/.default', redirect_uri: 'https://evil.example/cb' }),
    );
    expect(badRedirect.headers['x-ms-ests-error']).toBe('50011');
    const unknown = await m.inject(adminConsentAt(`/${FABRIKAM.id}/adminconsent`, { client_id: '00000000-1111-2222-3333-444444444444' }));
    expect(unknown.headers['x-ms-ests-error']).toBe('700016');
    const single = await m.inject(adminConsentAt(`/${FABRIKAM.id}/adminconsent`, { client_id: INTRANET.appId, redirect_uri: INTRANET.redirectUri }));
    expect(single.headers['x-ms-ests-error']).toBe('700016');
  });
});

describe('a single-tenant app refuses users of other tenants', () => {
  it('Carol signs in to Tailspin’s intranet: AADSTS50020 on Microsoft’s page', async () => {
    const r = await m.inject(
      `/${TAILSPIN.id}/oauth2/v2.0/authorize?${new URLSearchParams({
        client_id: INTRANET.appId,
        response_type: 'code',
        redirect_uri: INTRANET.redirectUri,
        scope: 'openid',
        login_hint: FABRIKAM.carol.upn,
        mock_login: 'auto',
      }).toString()}`,
    );
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-ms-ests-error']).toBe('50020');
    expect(r.body).toContain(
      escapeHtml(
        `AADSTS50020: User account '${FABRIKAM.carol.upn}' from identity provider 'https://sts.windows.net/${FABRIKAM.id}/' does not exist in tenant 'Tailspin Toys' and cannot access the application '${INTRANET.appId}'(Tailspin Intranet) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.`,
      ),
    );
  });

  it('the multi-tenant app on Tailspin’s own endpoint refuses her the same way', async () => {
    const r = await m.inject(authorizeAt(TAILSPIN.id, { login_hint: FABRIKAM.carol.upn, mock_password: 'Carol-2025!' }));
    expect(r.headers['x-ms-ests-error']).toBe('50020');
  });
});
