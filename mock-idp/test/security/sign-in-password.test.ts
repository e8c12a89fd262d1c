import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMessage } from '../../src/errors/catalog.js';
import { serveMock, type ServedMock } from './control-support.js';
import { ADELE, BRIDGE_QUERY, authorizePath, get, hiddenFields, newTenant, pageError, postForm, redirectParams, sessionCookie } from './sign-in-support.js';

/**
 * Issue 9 item 7 — `mock_login=auto` signed in a user whose fixture has a password without
 * asking for it. Now such a user needs `mock_password`: missing, the password page is shown;
 * wrong, AADSTS50126 on the error page. Password-less users sign in as before.
 */
let s: ServedMock;
let tenant: string;
const PASSWORD = 'Tr0ub4dor&3';
beforeAll(async () => {
  s = await serveMock();
  tenant = await newTenant(s.port, (f) => {
    f.users = (f.users ?? []).map((u) => (u.userPrincipalName === ADELE ? { ...u, password: PASSWORD } : u));
  });
});
afterAll(() => s.close());

const auto = (extra: Record<string, string> = {}) => get(s.port, authorizePath(tenant, { ...BRIDGE_QUERY, login_hint: ADELE, mock_login: 'auto', ...extra }));

describe('mock_login=auto for a user with a password', () => {
  it('without mock_password shows the password page: no session, no code', async () => {
    const r = await auto();
    expect(r.status).toBe(200);
    expect(r.body).toContain('Enter password');
    expect(r.headers.location).toBeUndefined();
    expect(sessionCookie(r)).toBeUndefined();
    // The page then works as the interactive one does.
    const ok = await postForm(s.port, `/${tenant}/oauth2/v2.0/authorize`, [...hiddenFields(r.body), ['passwd', PASSWORD]]);
    expect(ok.status).toBe(302);
    expect(redirectParams(ok).get('code')).toBeTruthy();
  });

  it('with a wrong mock_password answers AADSTS50126 on the error page, and never echoes it', async () => {
    const r = await auto({ mock_password: 'hunter2-guess' });
    expect(pageError(r)).toBe(50126);
    expect(r.body).toContain(`AADSTS50126: ${formatMessage(50126, {})}<`);
    expect(r.body).not.toContain('hunter2-guess');
    expect(sessionCookie(r)).toBeUndefined();
    expect(r.headers.location).toBeUndefined();
  });

  it('with the right mock_password signs in, and the password page never carries it', async () => {
    const r = await auto({ mock_password: PASSWORD });
    expect(r.status).toBe(302);
    expect(redirectParams(r).get('code')).toBeTruthy();
    expect(sessionCookie(r)).toBeTruthy();
    const page = await get(s.port, authorizePath(tenant, { ...BRIDGE_QUERY, prompt: 'login', mock_password: PASSWORD }));
    expect(page.body).not.toContain(PASSWORD);
  });

  it('password-less users are unchanged (mock_password ignored)', async () => {
    for (const extra of [{}, { mock_password: 'anything' }] as Array<Record<string, string>>) {
      const r = await get(s.port, authorizePath(tenant, { ...BRIDGE_QUERY, login_hint: 'MeganB@contoso.onmicrosoft.com', mock_login: 'auto', ...extra }));
      expect(r.status).toBe(302);
      expect(redirectParams(r).get('code')).toBeTruthy();
    }
  });
});
