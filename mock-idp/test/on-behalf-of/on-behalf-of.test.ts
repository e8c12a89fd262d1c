import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_APP_ID } from '../../src/directory/microsoft-graph.js';
import { keyValidity, thumbprintHex } from '../../src/tokens/verify-own-token.js';
import { subjectFor } from '../../src/tokens/claims.js';
import { ADELE, advanceClock, authorizeCode, control, expectTokens, tokenAt } from '../errors/flows.js';
import { CONTOSO, decodePart, json, mockApp, type TestMock } from '../support/mock-app.js';
import { API_SCOPE, API_URI, OBO, oboRequest, oboTenant, userTokenForApi } from './obo-tenant.js';

/**
 * On-behalf-of through the token endpoint (inject): the Todo API trades the user's token for a
 * Microsoft Graph token, and every refusal Entra gives on the way, with its exact text.
 */

let m: TestMock;
let tenant: string;
const adele = CONTOSO.users.adele;

beforeAll(async () => {
  m = await mockApp();
  tenant = await oboTenant(m);
});
afterAll(() => m.close());

const errorOf = (r: { statusCode: number; body: string }) => {
  const body = json(r as never);
  return {
    status: r.statusCode,
    error: body.error,
    codes: body.error_codes,
    suberror: body.suberror,
    message: String(body.error_description).split('\r\n')[0],
  };
};

describe('on-behalf-of: the downstream token', () => {
  it('keeps the user, names the Todo API as the client and carries its consented Graph scopes', async () => {
    const assertion = await userTokenForApi(m, tenant);
    const incoming = decodePart(assertion, 1);
    expect(incoming).toMatchObject({ aud: OBO.apiId, azp: OBO.webId, oid: adele.id, scp: 'access_as_user', ver: '2.0' });

    const r = await oboRequest(m, tenant, assertion);
    const body = await expectTokens(r, 'OBO');
    expect(Object.keys(body)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token']);
    expect(body.token_type).toBe('Bearer');
    expect(body.scope).toBe('User.Read');
    const at = decodePart(String(body.access_token), 1);
    expect(at).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${tenant}/`,
      appid: OBO.apiId,
      app_displayname: 'Todo API',
      appidacr: '1',
      oid: adele.id,
      upn: adele.upn,
      tid: tenant,
      scp: 'openid profile User.Read',
      sid: incoming.sid,
      ver: '1.0',
    });
    // Pairwise for the middle tier, not the web client that signed the user in.
    expect(at.sub).toBe(subjectFor(tenant, { appId: OBO.apiId } as never, { id: adele.id } as never));
    expect(at.sub).not.toBe(incoming.sub);
    expect(at).not.toHaveProperty('roles');
    expect(at).not.toHaveProperty('idtyp');
  });

  it('is a token Microsoft Graph accepts: /v1.0/me answers for the user', async () => {
    const r = await oboRequest(m, tenant, await userTokenForApi(m, tenant));
    const at = String((await expectTokens(r, 'OBO')).access_token);
    const me = await m.inject({ url: '/v1.0/me', headers: { authorization: `Bearer ${at}` } });
    expect(me.statusCode).toBe(200);
    expect(json(me)).toMatchObject({ id: adele.id, userPrincipalName: adele.upn, displayName: 'Adele Vance' });
  });

  it('adds an ID token for the middle tier with openid, and no refresh token without offline_access', async () => {
    const r = await oboRequest(m, tenant, await userTokenForApi(m, tenant), { scope: 'openid profile https://graph.microsoft.com/User.Read' });
    const body = await expectTokens(r, 'OBO');
    expect(Object.keys(body)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'id_token']);
    expect(body.scope).toBe('User.Read profile openid');
    expect(decodePart(String(body.id_token), 1)).toMatchObject({ aud: OBO.apiId, oid: adele.id, preferred_username: adele.upn, ver: '2.0' });
  });

  it('gives a refresh token the middle tier redeems, with its secret, for another Graph token of the user', async () => {
    const first = await expectTokens(await oboRequest(m, tenant, await userTokenForApi(m, tenant)), 'OBO');
    const r = await m.form(tokenAt(tenant), {
      grant_type: 'refresh_token',
      client_id: OBO.apiId,
      client_secret: OBO.apiSecret,
      refresh_token: String(first.refresh_token),
      scope: 'https://graph.microsoft.com/User.Read',
    });
    const body = await expectTokens(r, 'refresh');
    expect(decodePart(String(body.access_token), 1)).toMatchObject({ appid: OBO.apiId, oid: adele.id, scp: 'openid profile User.Read' });
  });

  it('accepts a v1 token whose aud is the App ID URI, and answers the v1 endpoint with a refresh token', async () => {
    const v1 = await oboTenant(m, (f) => {
      f.applications!.find((a) => a.appId === OBO.apiId)!.api!.requestedAccessTokenVersion = null;
    });
    const assertion = await userTokenForApi(m, v1);
    expect(decodePart(assertion, 1)).toMatchObject({ aud: API_URI, appid: OBO.webId, ver: '1.0' });
    const r = await m.form(`/${v1}/oauth2/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: OBO.apiId,
      client_secret: OBO.apiSecret,
      assertion,
      resource: 'https://graph.microsoft.com',
      requested_token_use: 'on_behalf_of',
    });
    const body = await expectTokens(r, 'v1 OBO');
    expect(body.refresh_token).toMatch(/^1\.A/);
    expect(decodePart(String(body.access_token), 1)).toMatchObject({ aud: 'https://graph.microsoft.com', appid: OBO.apiId, oid: adele.id });
  });
});

describe('on-behalf-of: refusals', () => {
  it('AADSTS500131: a token for another app (the web client’s ID token)', async () => {
    const { code } = await authorizeCode(m, { tenant, clientId: OBO.webId, redirectUri: OBO.webRedirect, scope: 'openid', user: ADELE });
    const redeemed = await m.form(tokenAt(tenant), {
      grant_type: 'authorization_code',
      client_id: OBO.webId,
      client_secret: OBO.webSecret,
      code,
      redirect_uri: OBO.webRedirect,
      scope: 'openid',
    });
    const idToken = String((await expectTokens(redeemed, 'sign-in')).id_token);
    expect(errorOf(await oboRequest(m, tenant, idToken))).toEqual({
      status: 400,
      error: 'invalid_grant',
      codes: [500131],
      suberror: undefined,
      message: `AADSTS500131: Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${OBO.webId}' and the expected audience is '${OBO.apiId}' or one of the Application Uris of this application with App ID '${OBO.apiId}'(Todo API). The downstream client must request a token for the expected audience (the application that made the OBO request) and this application should use that token as the assertion.`,
    });
  });

  it('AADSTS50013: a Microsoft Graph token (its nonce header breaks the signature)', async () => {
    const graphToken = await userTokenForApi(m, tenant, ADELE, 'https://graph.microsoft.com/User.Read');
    expect(decodePart(graphToken, 0)).toHaveProperty('nonce');
    const key = m.ctx.machineKey;
    const { start, end } = keyValidity(key);
    expect(errorOf(await oboRequest(m, tenant, graphToken))).toEqual({
      status: 400,
      error: 'invalid_grant',
      codes: [50013],
      suberror: undefined,
      message: `AADSTS50013: Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprintHex(key.kid)}', Found key 'Start=${start}, End=${end}'].`,
    });
    expect(thumbprintHex(key.kid)).toBe(Buffer.from(key.x5t, 'base64url').toString('hex').toUpperCase());
    expect(start).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
  });

  it('AADSTS50013: a token whose claims were changed after signing', async () => {
    const [h, p, s] = (await userTokenForApi(m, tenant)).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, oid: CONTOSO.users.alex.id })).toString('base64url')}.${s}`;
    const e = errorOf(await oboRequest(m, tenant, forged));
    expect(e.codes).toEqual([50013]);
    expect(e.message).toContain('[Reason - The provided signature value did not match the expected signature value.');
  });

  it('AADSTS50013 "The key was not found.": a token signed with a key the tenant never published', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = createHash('sha1').update('stranger').digest('base64url');
    const claims = decodePart(await userTokenForApi(m, tenant), 1);
    const input = `${Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    expect(errorOf(await oboRequest(m, tenant, token))).toEqual({
      status: 400,
      error: 'invalid_grant',
      codes: [50013],
      suberror: undefined,
      message: `AADSTS50013: Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprintHex(kid)}'].`,
    });
  });

  it('AADSTS50013: a token another tenant issued', async () => {
    const other = await oboTenant(m);
    const token = await userTokenForApi(m, other);
    const e = errorOf(await oboRequest(m, tenant, token));
    expect(e.codes).toEqual([50013]);
    expect(e.message).toBe(
      `AADSTS50013: Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprintHex(m.ctx.machineKey.kid)}'].`,
    );
  });

  it('AADSTS500133: an expired user token (tenant clock)', async () => {
    const own = await oboTenant(m);
    const token = await userTokenForApi(m, own);
    const exp = Number(decodePart(token, 1).exp);
    await advanceClock(m, own, 2 * 3600);
    const e = errorOf(await oboRequest(m, own, token));
    expect(e).toMatchObject({ status: 400, error: 'invalid_grant', codes: [500133] });
    const expiry = new Date(exp * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
    expect(e.message).toMatch(
      new RegExp(
        `^AADSTS500133: Assertion is not within its valid time range\\. Ensure that the access token is not expired before using it for user assertion, or request a new token\\. Current time: \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}0000Z, expiry time of assertion ${expiry.replace(/\./g, '\\.')}\\.$`,
      ),
    );
  });

  it('AADSTS7000114: an app-only token (client credentials) as the assertion', async () => {
    const cc = await m.form(tokenAt(tenant), {
      grant_type: 'client_credentials',
      client_id: OBO.webId,
      client_secret: OBO.webSecret,
      scope: `${API_URI}/.default`,
    });
    const appToken = String((await expectTokens(cc, 'client credentials')).access_token);
    expect(decodePart(appToken, 1)).toMatchObject({ aud: OBO.apiId, idtyp: 'app' });
    expect(errorOf(await oboRequest(m, tenant, appToken))).toEqual({
      status: 400,
      error: 'unauthorized_client',
      codes: [7000114],
      suberror: undefined,
      message: `AADSTS7000114: Application '${OBO.apiId}' is not allowed to make application on-behalf-of calls.`,
    });
  });

  it('AADSTS65001 consent_required: the middle tier has no consent for the downstream scope', async () => {
    const own = await oboTenant(m, (f) => {
      f.oauth2PermissionGrants = f.oauth2PermissionGrants!.filter((g) => !(g.clientId === OBO.apiId && g.resourceId === GRAPH_APP_ID));
    });
    expect(errorOf(await oboRequest(m, own, await userTokenForApi(m, own)))).toEqual({
      status: 400,
      error: 'invalid_grant',
      codes: [65001],
      suberror: 'consent_required',
      message: `AADSTS65001: The user or administrator has not consented to use the application with ID '${OBO.apiId}' named 'Todo API'. Send an interactive authorization request for this user and resource.`,
    });
  });

  it('AADSTS65001 too for a Graph scope the middle tier was never granted (GroupMember.Read.All)', async () => {
    const e = errorOf(await oboRequest(m, tenant, await userTokenForApi(m, tenant), { scope: 'https://graph.microsoft.com/GroupMember.Read.All' }));
    expect(e).toMatchObject({ error: 'invalid_grant', codes: [65001], suberror: 'consent_required' });
  });

  it('AADSTS50057 for a user disabled after the token was issued; AADSTS9002313 for one deleted', async () => {
    const diego = { id: 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6', userPrincipalName: `DiegoS@contoso-obo.example`, displayName: 'Diego Siciliani' };
    const own = await oboTenant(m, (f) => {
      f.verifiedDomains.push('contoso-obo.example');
      f.users = [...(f.users ?? []), diego];
    });
    const adeleToken = await userTokenForApi(m, own);
    const diegoToken = await userTokenForApi(m, own, diego.userPrincipalName);
    const fixture = (json(await m.inject(`/_mock/tenants/${own}`)) as { fixture: { users: Array<{ id: string }> } }).fixture;
    const at = (id: string) => fixture.users.findIndex((u) => u.id === id);
    await control(m, 'PATCH', `/_mock/tenants/${own}/fixture`, [
      { op: 'add', path: `/users/${at(adele.id)}/accountEnabled`, value: false },
      { op: 'remove', path: `/users/${at(diego.id)}` },
    ]);
    expect(errorOf(await oboRequest(m, own, adeleToken))).toEqual({
      status: 400,
      error: 'invalid_grant',
      codes: [50057],
      suberror: undefined,
      message: 'AADSTS50057: The user account is disabled.',
    });
    expect(errorOf(await oboRequest(m, own, diegoToken))).toMatchObject({ error: 'invalid_grant', codes: [9002313], suberror: 'bad_token' });
  });

  it('checks the middle tier’s own credential first: a wrong secret (AADSTS7000215), none (AADSTS7000218)', async () => {
    const assertion = await userTokenForApi(m, tenant);
    expect(errorOf(await oboRequest(m, tenant, assertion, { client_secret: 'nope' }))).toMatchObject({
      status: 401,
      error: 'invalid_client',
      codes: [7000215],
    });
    const r = await m.form(tokenAt(tenant), {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: OBO.apiId,
      assertion,
      scope: 'https://graph.microsoft.com/User.Read',
      requested_token_use: 'on_behalf_of',
    });
    expect(errorOf(r)).toMatchObject({ status: 401, error: 'invalid_client', codes: [7000218] });
  });

  it('names a missing requested_token_use, assertion or scope (AADSTS900144)', async () => {
    const assertion = await userTokenForApi(m, tenant);
    for (const name of ['requested_token_use', 'assertion', 'scope']) {
      const fields: Record<string, string> = {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        client_id: OBO.apiId,
        client_secret: OBO.apiSecret,
        assertion,
        scope: 'User.Read',
        requested_token_use: 'on_behalf_of',
      };
      delete fields[name];
      expect(errorOf(await m.form(tokenAt(tenant), fields))).toMatchObject({
        status: 400,
        error: 'invalid_request',
        codes: [900144],
        message: `AADSTS900144: The request body must contain the following parameter: '${name}'.`,
      });
    }
  });

  it('refuses another requested_token_use as an unsupported grant (AADSTS70003), and garbage as a grant it cannot read (AADSTS9002313)', async () => {
    const assertion = await userTokenForApi(m, tenant);
    expect(errorOf(await oboRequest(m, tenant, assertion, { requested_token_use: 'exchange' }))).toMatchObject({
      error: 'unsupported_grant_type',
      codes: [70003],
      message: "AADSTS70003: The app requested an unsupported grant type 'urn:ietf:params:oauth:grant-type:jwt-bearer (requested_token_use=exchange)'.",
    });
    expect(errorOf(await oboRequest(m, tenant, 'not-a-token'))).toMatchObject({ error: 'invalid_grant', codes: [9002313], suberror: 'bad_token' });
  });

  it('a token for the API asked with its own scope carries access_as_user; the downstream token never the web client’s scopes', async () => {
    const assertion = await userTokenForApi(m, tenant, ADELE, API_SCOPE);
    const body = await expectTokens(await oboRequest(m, tenant, assertion), 'OBO');
    expect(String(decodePart(String(body.access_token), 1).scp)).not.toContain('access_as_user');
  });
});
