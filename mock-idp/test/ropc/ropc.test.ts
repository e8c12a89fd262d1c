import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { CONTOSO, decodePart, json, mockApp, ORIGIN, T, type TestMock } from '../support/mock-app.js';
import { ALEX_PASSWORD, CLI_APP_ID, GRAPH, MEGAN_PASSWORD, ropcTenant } from './ropc-fixture.js';

/**
 * grant_type=password (ROPC) through inject: the tokens, and every refusal with its exact body.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
 */

const { megan, alex, adele } = CONTOSO.users;
const BRIDGE = CONTOSO.bridge;
let m: TestMock;
let tid: string;

beforeAll(async () => {
  m = await mockApp();
  const base = (json(await m.inject(`/_mock/tenants/${T}`)) as { fixture: TenantFixture }).fixture;
  const f = ropcTenant(base);
  const created = await m.inject({ method: 'POST', url: '/_mock/tenants', payload: f as unknown as Record<string, unknown> });
  expect(created.statusCode, created.body).toBe(201);
  tid = f.id;
});
afterAll(() => m?.close());

const ropc = (fields: Record<string, string>, tenant = tid, path = 'oauth2/v2.0/token') =>
  m.form(`/${tenant}/${path}`, {
    grant_type: 'password',
    client_id: CLI_APP_ID,
    username: megan.upn,
    password: MEGAN_PASSWORD,
    scope: 'openid profile offline_access User.Read',
    ...fields,
  });

/** The AADSTS line of an error body, and its other fields. */
function refusal(r: Awaited<ReturnType<typeof ropc>>): { status: number; error: unknown; line: string; codes: unknown; suberror: unknown; keys: string[] } {
  const b = json(r);
  return {
    status: r.statusCode,
    error: b.error,
    line: String(b.error_description).split('\r\n')[0]!,
    codes: b.error_codes,
    suberror: b.suberror,
    keys: Object.keys(b),
  };
}

const ERROR_KEYS = ['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri'];

describe('ROPC: tokens', () => {
  it('a public client signs Megan in: access token for Graph, ID token (openid), refresh token (offline_access), as for a code', async () => {
    const r = await ropc({});
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store, no-cache');
    const b = json(r);
    expect(Object.keys(b)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token']);
    expect(b.token_type).toBe('Bearer');
    expect(b.scope).toBe('User.Read profile openid');
    const at = decodePart(String(b.access_token), 1);
    expect([at.aud, at.iss, at.tid, at.oid, at.upn, at.appid, at.scp, at.amr]).toEqual([
      GRAPH,
      `https://sts.windows.net/${tid}/`,
      tid,
      megan.id,
      megan.upn,
      CLI_APP_ID,
      'email openid profile User.Read',
      ['pwd'],
    ]);
    const id = decodePart(String(b.id_token), 1);
    expect([id.aud, id.iss, id.tid, id.oid, id.preferred_username, id.ver]).toEqual([CLI_APP_ID, `${ORIGIN}/${tid}/v2.0`, tid, megan.id, megan.upn, '2.0']);
  });

  it('its refresh token redeems like any other', async () => {
    const rt = String(json(await ropc({})).refresh_token);
    const r = await m.form(`/${tid}/oauth2/v2.0/token`, { grant_type: 'refresh_token', client_id: CLI_APP_ID, refresh_token: rt, scope: 'User.Read' });
    expect(r.statusCode, r.body).toBe(200);
    expect(decodePart(String(json(r).access_token), 1).upn).toBe(megan.upn);
  });

  it('without openid and offline_access: the access token alone', async () => {
    const b = json(await ropc({ scope: 'https://graph.microsoft.com/User.Read' }));
    expect(Object.keys(b)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token']);
    expect(b.scope).toBe('User.Read');
  });

  it('the username is matched case-insensitively', async () => {
    const r = await ropc({ username: megan.upn.toUpperCase() });
    expect(decodePart(String(json(r).access_token), 1).oid).toBe(megan.id);
  });

  it('a confidential client (the bridge) with its secret', async () => {
    const r = await ropc({ client_id: BRIDGE.appId, client_secret: BRIDGE.secret });
    expect(r.statusCode, r.body).toBe(200);
    expect(decodePart(String(json(r).access_token), 1).appid).toBe(BRIDGE.appId);
  });

  it('v1 with resource: a v1 token for the resource, and always a refresh token', async () => {
    // v1 clients send resource, not scope.
    const r = await m.form(`/${tid}/oauth2/token`, {
      grant_type: 'password',
      client_id: CLI_APP_ID,
      username: megan.upn,
      password: MEGAN_PASSWORD,
      resource: 'https://graph.microsoft.com',
    });
    expect(r.statusCode, r.body).toBe(200);
    const b = json(r);
    expect(typeof b.refresh_token).toBe('string');
    expect(decodePart(String(b.access_token), 1).aud).toBe('https://graph.microsoft.com');
  });

  it('/organizations with a single-tenant app: AADSTS50194 before the user is looked at', async () => {
    const r = await ropc({ client_id: BRIDGE.appId, client_secret: BRIDGE.secret, username: adele.upn }, 'organizations');
    expect(refusal(r).codes).toEqual([50194]);
  });
});

describe('ROPC: refusals', () => {
  it('wrong password: invalid_grant AADSTS50126', async () => {
    const r = refusal(await ropc({ password: 'Winter2024!' }));
    expect(r).toEqual({
      status: 400,
      error: 'invalid_grant',
      line: 'AADSTS50126: Error validating credentials due to invalid username or password.',
      codes: [50126],
      suberror: undefined,
      keys: ERROR_KEYS,
    });
  });

  it('unknown user: invalid_grant AADSTS50034, the name hidden as Entra hides it', async () => {
    const r = refusal(await ropc({ username: 'nobody@contoso.onmicrosoft.com' }));
    expect([r.status, r.error, r.line, r.codes]).toEqual([
      400,
      'invalid_grant',
      `AADSTS50034: The user account {EmailHidden} does not exist in the ${tid} directory. To sign into this application, the account must be added to the directory.`,
      [50034],
    ]);
  });

  it('a user without a password in the directory: AADSTS50056', async () => {
    const r = refusal(await ropc({ username: adele.upn, password: 'anything' }));
    expect([r.error, r.line]).toEqual(['invalid_grant', 'AADSTS50056: Invalid or missing password: password does not exist in the directory for this user.']);
  });

  it('per-user MFA: invalid_grant AADSTS50076 with suberror basic_action (after the password is right)', async () => {
    const r = refusal(await ropc({ username: alex.upn, password: ALEX_PASSWORD }));
    expect(r).toEqual({
      status: 400,
      error: 'invalid_grant',
      line: `AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${GRAPH}'.`,
      codes: [50076],
      suberror: 'basic_action',
      keys: [...ERROR_KEYS, 'suberror'],
    });
    // A wrong password is still just a wrong password.
    expect(refusal(await ropc({ username: alex.upn, password: 'x' })).codes).toEqual([50126]);
  });

  it('a permission nobody consented to: invalid_grant AADSTS65001, suberror consent_required', async () => {
    const r = refusal(await ropc({ scope: 'openid https://graph.microsoft.com/GroupMember.Read.All' }));
    expect([r.error, r.line, r.suberror]).toEqual([
      'invalid_grant',
      `AADSTS65001: The user or administrator has not consented to use the application with ID '${CLI_APP_ID}' named 'Contoso CLI'. Send an interactive authorization request for this user and resource.`,
      'consent_required',
    ]);
  });

  it('a public client that presents a secret: AADSTS700025', async () => {
    expect(refusal(await ropc({ client_secret: 'x' })).codes).toEqual([700025]);
  });

  it('a confidential client without its credential: AADSTS7000218, as for every grant', async () => {
    const r = refusal(await ropc({ client_id: BRIDGE.appId }));
    expect([r.status, r.error, r.codes]).toEqual([401, 'invalid_client', [7000218]]);
  });

  it('a missing username or password: AADSTS900144 naming it', async () => {
    const noUser = await m.form(`/${tid}/oauth2/v2.0/token`, { grant_type: 'password', client_id: CLI_APP_ID, password: 'x', scope: 'User.Read' });
    expect(refusal(noUser).line).toBe("AADSTS900144: The request body must contain the following parameter: 'username'.");
    const noPassword = await m.form(`/${tid}/oauth2/v2.0/token`, { grant_type: 'password', client_id: CLI_APP_ID, username: megan.upn, scope: 'User.Read' });
    expect(refusal(noPassword).line).toBe("AADSTS900144: The request body must contain the following parameter: 'password'.");
  });

  it('v1 without resource: AADSTS900144 naming resource', async () => {
    const r = refusal(await ropc({}, tid, 'oauth2/token'));
    expect([r.error, r.line]).toEqual(['invalid_request', "AADSTS900144: The request body must contain the following parameter: 'resource'."]);
  });

  it('/common and /consumers: AADSTS9001023', async () => {
    for (const alias of ['common', 'consumers']) {
      const r = refusal(await ropc({}, alias));
      expect([r.error, r.line]).toEqual([
        'invalid_request',
        'AADSTS9001023: The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.',
      ]);
    }
  });

  it('a disabled account: AADSTS50057', async () => {
    const patch = await m.inject({
      method: 'PATCH',
      url: `/_mock/tenants/${tid}/fixture`,
      headers: { 'content-type': 'application/json-patch+json' },
      payload: JSON.stringify([{ op: 'add', path: '/users/2/accountEnabled', value: false }]),
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(refusal(await ropc({})).line).toBe('AADSTS50057: The user account is disabled.');
  });
});

describe('home realm discovery (MSAL asks it before ROPC)', () => {
  it('a domain of a tenant is Managed; any other Unknown', async () => {
    const managed = await m.inject(`/common/userrealm/${encodeURIComponent(megan.upn)}?api-version=1.0`);
    expect(managed.statusCode).toBe(200);
    expect(json(managed)).toEqual({
      ver: '1.0',
      account_type: 'Managed',
      domain_name: 'contoso.onmicrosoft.com',
      cloud_instance_name: 'microsoftonline.com',
      cloud_audience_urn: 'urn:federation:MicrosoftOnline',
    });
    const unknown = await m.inject('/common/userrealm/someone@fabrikam.example?api-version=1.0');
    expect(json(unknown)).toEqual({
      ver: '1.0',
      account_type: 'Unknown',
      cloud_instance_name: 'microsoftonline.com',
      cloud_audience_urn: 'urn:federation:MicrosoftOnline',
    });
  });
});
