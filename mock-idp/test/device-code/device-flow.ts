import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TenantFixture } from '../../src/directory/model.js';
import type { TestMock } from '../support/mock-app.js';
import { hiddenFields, newTenant, postForm, sessionCookie } from '../errors/flows.js';

/**
 * The device-code flow as tests drive it: a tenant with a public client ("Allow public client
 * flows", as a CLI registers), the device authorization request, and the device sign-in page's
 * steps as a browser posts them.
 */

export const DEVICE_PAGE = '/common/oauth2/deviceauth';
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceTenant {
  tenant: string;
  /** The public client (isFallbackPublicClient: true), consented for Graph's User.Read. */
  cli: string;
  /** A second public client nobody has consented to. */
  unconsented: string;
}

/** A fresh tenant (its own clock) with the CLI apps. */
export async function deviceTenant(m: TestMock, edit?: (f: TenantFixture) => void): Promise<DeviceTenant> {
  const cli = randomUUID();
  const unconsented = randomUUID();
  const tenant = await newTenant(m, (f) => {
    edit?.(f);
    f.applications = [
      ...(f.applications ?? []),
      {
        appId: cli,
        displayName: 'Contoso CLI',
        signInAudience: 'AzureADMyOrg',
        isFallbackPublicClient: true,
        publicClient: { redirectUris: ['http://localhost'] },
      },
      { appId: unconsented, displayName: 'Contoso Tool', signInAudience: 'AzureADMyOrg', isFallbackPublicClient: true },
    ];
    f.oauth2PermissionGrants = [
      ...(f.oauth2PermissionGrants ?? []),
      {
        clientId: cli,
        consentType: 'AllPrincipals',
        resourceId: '00000003-0000-0000-c000-000000000000',
        scope: 'openid profile email offline_access User.Read',
      },
    ];
  });
  return { tenant, cli, unconsented };
}

export interface DeviceAuthorization {
  user_code: string;
  device_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
  message: string;
}

/** POST /{tenant}/oauth2/v2.0/devicecode; throws unless 200. */
export async function startDeviceFlow(
  m: TestMock,
  tenant: string,
  clientId: string,
  scope = 'openid profile offline_access User.Read',
): Promise<DeviceAuthorization> {
  const r = await m.form(`/${tenant}/oauth2/v2.0/devicecode`, { client_id: clientId, scope });
  if (r.statusCode !== 200) throw new Error(`devicecode: ${r.statusCode} ${r.body}`);
  return JSON.parse(r.body) as DeviceAuthorization;
}

/** One poll of the token endpoint. */
export const poll = (m: TestMock, tenant: string, clientId: string, deviceCode: string, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  m.form(`/${tenant}/oauth2/v2.0/token`, { grant_type: DEVICE_GRANT, client_id: clientId, device_code: deviceCode, ...extra });

/** The page's automation: the code, mock_login=auto and the user. */
export const approveByAutomation = (m: TestMock, userCode: string, upn: string): Promise<LightMyRequestResponse> =>
  m.inject(`${DEVICE_PAGE}?${new URLSearchParams({ otc: userCode, mock_login: 'auto', login_hint: upn }).toString()}`);

/** Enters the code and picks the account on the sign-in page; returns the next page and the SSO cookie. */
export async function signInOnPage(m: TestMock, userCode: string, upn: string): Promise<{ page: LightMyRequestResponse; cookie: string }> {
  const login = await postForm(m, DEVICE_PAGE, [['otc', userCode]]);
  if (login.statusCode !== 200 || !login.body.includes('Pick an account')) throw new Error(`no sign-in page: ${login.statusCode} ${login.body.slice(0, 300)}`);
  const page = await postForm(m, DEVICE_PAGE, [...hiddenFields(login.body), ['loginfmt', upn]]);
  return { page, cookie: sessionCookie(page) };
}

/** Answers the last page (Continue / Accept or Cancel). */
export const answerLastPage = (m: TestMock, page: LightMyRequestResponse, cookie: string, answer: 'accept' | 'cancel'): Promise<LightMyRequestResponse> =>
  postForm(m, DEVICE_PAGE, [...hiddenFields(page.body), ['consent', answer]], cookie);
