import { createHash } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, ORIGIN, CONTOSO, tokenPath, json, decodePart, bridgeCode, bridgeRedeem, authorize } from '../support/mock-app.js';
import { pairwiseSubject } from '../../src/tokens/subject.js';

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const VERIFIER = 'x'.repeat(20) + '-verifier-of-forty-three-chars-';
const GRAPH = '00000003-0000-0000-c000-000000000000';

describe('authorization_code', () => {
  it('answers with Entra’s fields, in order, and no-store headers', async () => {
    const r = await bridgeRedeem(m, await bridgeCode(m), { client_info: '1' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store, no-cache');
    expect(r.headers.pragma).toBe('no-cache');
    const b = json(r);
    expect(Object.keys(b)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token', 'client_info']);
    expect(b.token_type).toBe('Bearer');
    expect(b.scope).toBe('User.Read profile openid email');
    expect(b.expires_in).toBeGreaterThanOrEqual(3600);
    expect(b.expires_in).toBeLessThan(5400);
    expect(b.ext_expires_in).toBe(b.expires_in);
    expect(JSON.parse(Buffer.from(String(b.client_info), 'base64url').toString())).toEqual({ uid: CONTOSO.users.adele.id, utid: T });
  });

  it('issues a v2 ID token with Entra’s claims for the bridge', async () => {
    const b = json(await bridgeRedeem(m, await bridgeCode(m, { nonce: 'abc' })));
    const header = decodePart(String(b.id_token), 0);
    expect(header).toEqual({ typ: 'JWT', alg: 'RS256', kid: header.kid });
    const c = decodePart(String(b.id_token), 1);
    expect(Object.keys(c).slice(0, 5)).toEqual(['aud', 'iss', 'iat', 'nbf', 'exp']);
    expect(c).toMatchObject({
      aud: CONTOSO.bridge.appId,
      iss: `${ORIGIN}/${T}/v2.0`,
      email: CONTOSO.users.adele.mail,
      name: 'Adele Vance',
      nonce: 'abc',
      oid: CONTOSO.users.adele.id,
      preferred_username: CONTOSO.users.adele.upn,
      sub: pairwiseSubject(T, CONTOSO.bridge.appId, CONTOSO.users.adele.id),
      tid: T,
      ver: '2.0',
    });
    expect(c.exp as number).toBe((c.iat as number) + 3900);
    expect(String(c.sub)).toHaveLength(43);
    expect(c).not.toHaveProperty('c_hash');
    expect(c).not.toHaveProperty('at_hash');
  });

  it('omits email for a user without mail (Megan)', async () => {
    const b = json(await bridgeRedeem(m, await bridgeCode(m, { login_hint: CONTOSO.users.megan.upn })));
    expect(decodePart(String(b.id_token), 1)).not.toHaveProperty('email');
  });

  it('issues a v1 Graph access token (nonce header, aud 00000003-…, scp of all consented scopes)', async () => {
    const b = json(await bridgeRedeem(m, await bridgeCode(m)));
    const h = decodePart(String(b.access_token), 0);
    expect(Object.keys(h)).toEqual(['typ', 'nonce', 'alg', 'x5t', 'kid']);
    const c = decodePart(String(b.access_token), 1);
    expect(c).toMatchObject({
      aud: GRAPH,
      iss: `https://sts.windows.net/${T}/`,
      appid: CONTOSO.bridge.appId,
      appidacr: '1',
      app_displayname: 'Identity Bridge',
      scp: 'email openid profile User.Read',
      upn: CONTOSO.users.adele.upn,
      unique_name: CONTOSO.users.adele.upn,
      ver: '1.0',
      amr: ['pwd'],
    });
  });

  it('issues a v1 token with the App ID URI as aud for the SPA’s API (accessTokenAcceptedVersion null)', async () => {
    const r = await authorize(m, {
      client_id: CONTOSO.openMetadataUi.appId,
      redirect_uri: CONTOSO.openMetadataUi.redirectUri,
      response_type: 'code',
      scope: `${CONTOSO.openMetadataUi.scope} openid offline_access`,
      code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
      code_challenge_method: 'S256',
      mock_login: 'auto',
      login_hint: CONTOSO.users.alex.upn,
    });
    const t = await m.form(
      tokenPath(),
      {
        grant_type: 'authorization_code',
        client_id: CONTOSO.openMetadataUi.appId,
        code: r.params.get('code')!,
        redirect_uri: CONTOSO.openMetadataUi.redirectUri,
        code_verifier: VERIFIER,
      },
      { origin: 'http://localhost:8585' },
    );
    const b = json(t);
    expect(t.statusCode, t.body).toBe(200);
    expect(t.headers['access-control-allow-origin']).toBe('*');
    expect(b.scope).toBe(`${CONTOSO.openMetadataUi.scope} openid`);
    expect(b.refresh_token_expires_in).toBe(86400);
    expect(decodePart(String(b.access_token), 1)).toMatchObject({ aud: CONTOSO.openMetadataUi.apiUri, scp: 'access_as_user', appidacr: '0', ver: '1.0' });
  });

  it('refuses a token request for a resource the user never consented to (AADSTS65001, consent_required)', async () => {
    const r = await bridgeRedeem(m, await bridgeCode(m), { scope: `${CONTOSO.openMetadataUi.scope} openid` });
    expect(r.statusCode).toBe(400);
    const b = json(r);
    expect(b.error).toBe('invalid_grant');
    expect(b.error_codes).toEqual([65001]);
    expect(b.suberror).toBe('consent_required');
  });

  it('accepts client_secret_basic', async () => {
    const code = await bridgeCode(m);
    const basic = Buffer.from(`${CONTOSO.bridge.appId}:${encodeURIComponent(CONTOSO.bridge.secret)}`).toString('base64');
    const r = await m.form(
      tokenPath(),
      { grant_type: 'authorization_code', code, redirect_uri: CONTOSO.bridge.redirectUri },
      { authorization: `Basic ${basic}` },
    );
    expect(r.statusCode).toBe(200);
  });

  it('serves the v1 token endpoint with a v1 ID token (x5t header, sts issuer)', async () => {
    const code = await bridgeCode(m);
    const r = await m.form(`/${T}/oauth2/token`, {
      grant_type: 'authorization_code',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      code,
      redirect_uri: CONTOSO.bridge.redirectUri,
    });
    const b = json(r);
    expect(r.statusCode).toBe(200);
    expect(b.refresh_token).toBeTruthy();
    expect(decodePart(String(b.id_token), 0)).toHaveProperty('x5t');
    expect(decodePart(String(b.id_token), 1)).toMatchObject({ iss: `https://sts.windows.net/${T}/`, ver: '1.0', upn: CONTOSO.users.adele.upn });
  });

  it('redeems a code exactly once among 8 concurrent attempts (the rest get AADSTS54005)', async () => {
    const code = await bridgeCode(m);
    const results = await Promise.all(Array.from({ length: 8 }, () => bridgeRedeem(m, code)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.statusCode !== 200)) expect(json(r).error_codes).toEqual([54005]);
  });
});

describe('refresh_token', () => {
  it('returns a new refresh token and the old one stays valid (Entra does not revoke on use)', async () => {
    const first = json(await bridgeRedeem(m, await bridgeCode(m)));
    const refresh = (rt: string) =>
      m.form(tokenPath(), { grant_type: 'refresh_token', client_id: CONTOSO.bridge.appId, client_secret: CONTOSO.bridge.secret, refresh_token: rt });
    const second = json(await refresh(String(first.refresh_token)));
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await refresh(String(first.refresh_token))).statusCode).toBe(200);
    expect(decodePart(String(second.id_token), 1).oid).toBe(CONTOSO.users.adele.id);
  });

  it('answers 8 concurrent uses of one refresh token with 8 successes', async () => {
    const first = json(await bridgeRedeem(m, await bridgeCode(m)));
    const rs = await Promise.all(
      Array.from({ length: 8 }, () =>
        m.form(tokenPath(), {
          grant_type: 'refresh_token',
          client_id: CONTOSO.bridge.appId,
          client_secret: CONTOSO.bridge.secret,
          refresh_token: String(first.refresh_token),
        }),
      ),
    );
    expect(rs.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
  });
});

describe('client_credentials', () => {
  it('gives the bridge a Graph token with its admin-consented Group.Read.All role', async () => {
    const r = await m.form(tokenPath(), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      scope: 'https://graph.microsoft.com/.default',
    });
    const b = json(r);
    expect(Object.keys(b)).toEqual(['token_type', 'expires_in', 'ext_expires_in', 'access_token']);
    expect(decodePart(String(b.access_token), 1)).toMatchObject({
      aud: 'https://graph.microsoft.com',
      roles: ['Group.Read.All'],
      idtyp: 'app',
      appid: CONTOSO.bridge.appId,
      ver: '1.0',
    });
  });

  it('gives the ingestion app a token for its API without a roles claim (the API exposes no app roles)', async () => {
    const b = json(
      await m.form(tokenPath(), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.ingestion.appId,
        client_secret: CONTOSO.ingestion.secret,
        scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
      }),
    );
    const c = decodePart(String(b.access_token), 1);
    expect(c).not.toHaveProperty('roles');
    expect(c).not.toHaveProperty('scp');
    expect(c.aud).toBe(CONTOSO.openMetadataUi.apiUri);
  });

  it.each([
    ['a delegated scope', `${CONTOSO.openMetadataUi.scope}`, 1002012],
    ['User.Read', 'User.Read', 1002012],
    ['an unknown resource', 'api://nope/.default', 500011],
  ])('refuses %s', async (_w, scope, code) => {
    const r = await m.form(tokenPath(), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      scope,
    });
    expect(r.statusCode).toBe(400);
    expect(json(r).error_codes).toEqual([code]);
  });

  it('refuses /common for app-only tokens (AADSTS50059), before looking for the app', async () => {
    const r = await m.form(tokenPath('common'), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(r.statusCode).toBe(400);
    expect(json(r).error_codes).toEqual([50059]);
  });

  it('takes `resource` on the v1 endpoint as {resource}/.default', async () => {
    const r = await m.form(`/${T}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      resource: CONTOSO.openMetadataUi.apiUri,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(decodePart(String(json(r).access_token), 1).aud).toBe(CONTOSO.openMetadataUi.apiUri);
  });
});

describe('malformed requests get Entra-shaped 4xx, never a 500', () => {
  it.each([
    ['JSON body', { 'content-type': 'application/json' }, '{"grant_type":"client_credentials"}', 900144],
    ['text body', { 'content-type': 'text/plain' }, 'grant_type=client_credentials', 900144],
    ['no body', {}, undefined, 900144],
    ['duplicated grant_type', { 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials&grant_type=client_credentials', 9000411],
    ['unknown grant type', { 'content-type': 'application/x-www-form-urlencoded' }, `grant_type=magic&client_id=${CONTOSO.bridge.appId}`, 70003],
    ['huge value', { 'content-type': 'application/x-www-form-urlencoded' }, `grant_type=${'x'.repeat(10_000)}`, 90100],
    [
      'garbage code',
      { 'content-type': 'application/x-www-form-urlencoded' },
      `grant_type=authorization_code&client_id=${CONTOSO.bridge.appId}&client_secret=${encodeURIComponent(CONTOSO.bridge.secret)}&code=%00%ff&redirect_uri=x`,
      9002313,
    ],
  ])('%s', async (_w, headers, payload, code) => {
    const r = await m.inject({ method: 'POST', url: tokenPath(), headers, ...(payload !== undefined ? { payload } : {}) });
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(r.statusCode).toBeLessThan(500);
    expect(json(r).error_codes).toEqual([code]);
  });

  it('answers GET on the token endpoint with AADSTS900561', async () => {
    const r = await m.inject(tokenPath());
    expect(r.statusCode).toBe(400);
    expect(json(r).error_description).toMatch(/^AADSTS900561: The endpoint only accepts POST, OPTIONS requests\. Received a GET request\./);
  });

  it('answers a body over 1 MiB in Entra’s shape', async () => {
    const r = await m.inject({
      method: 'POST',
      url: tokenPath(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a='.padEnd(1_100_000, 'x'),
    });
    expect(r.statusCode).toBe(400);
    expect(json(r).error_codes).toEqual([90100]);
  });
});
