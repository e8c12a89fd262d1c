import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { otherSubject, WILD_ISSUER } from '../../src/tokens/mutations.js';
import { trustingFetch } from '../support/real-clients.js';
import { bridgeCode, bridgeRedeem, CONTOSO, json, ORIGIN, T, type TestMock } from '../support/mock-app.js';
import { changes, decode, jwks, mint, queue, requestLog, verifies, withFrozenContoso } from './support.js';

/**
 * Discovery, JWKS and userinfo mutations: each changes the one member it names, bypasses the
 * cached document only while it applies, and leaves the next answer byte for byte the real one.
 */

let m: TestMock;
withFrozenContoso((mock) => (m = mock));

const DISCOVERY = `/${T}/v2.0/.well-known/openid-configuration`;
const DISCOVERY_V1 = `/${T}/.well-known/openid-configuration`;
const KEYS = `/${T}/discovery/v2.0/keys`;

describe('discovery', () => {
  it.each([
    ['issuer-near-miss', {}, DISCOVERY, { issuer: [`${ORIGIN}/${T}/v2.0`, `${ORIGIN}/${T}/v2.01`] }],
    ['issuer-wild', {}, DISCOVERY, { issuer: [`${ORIGIN}/${T}/v2.0`, WILD_ISSUER] }],
    ['issuer-wild', { value: 'https://elsewhere.example/' }, DISCOVERY_V1, { issuer: [`https://sts.windows.net/${T}/`, 'https://elsewhere.example/'] }],
    [
      'jwks-uri-other-tenant',
      { tenantId: '11111111-2222-4333-8444-555555555555' },
      DISCOVERY,
      { jwks_uri: [`${ORIGIN}/${T}/discovery/v2.0/keys`, `${ORIGIN}/11111111-2222-4333-8444-555555555555/discovery/v2.0/keys`] },
    ],
  ] as const)('%s %j on %s changes that member only, then the cached bytes come back', async (kind, params, path, expected) => {
    const before = await m.inject(path);
    await queue(m, { target: 'discovery', kind, ...params });
    const mutated = await m.inject(path);
    expect(mutated.statusCode).toBe(200);
    expect(mutated.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(changes(json(before), json(mutated))).toEqual(expected);
    expect((await m.inject(path)).body).toBe(before.body);
  });

  it('jwks-uri-other-tenant without tenantId names another tenant of the mock, or is refused when there is none', async () => {
    const r = await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/mutations`, payload: { target: 'discovery', kind: 'jwks-uri-other-tenant' } });
    expect(r.statusCode).toBe(400);
    expect(json(r).error).toEqual({ code: 'InvalidMutation', message: "jwks-uri-other-tenant needs another tenant: create one, or name it with 'tenantId'." });
    const other = '2a9e1f4b-3c5d-4e6f-8a7b-9c0d1e2f3a4b';
    await m.inject({
      method: 'POST',
      url: '/_mock/tenants',
      payload: { extends: 'contoso', id: other, displayName: 'Fabrikam', verifiedDomains: ['fabrikam.example'] },
    });
    try {
      const q = await queue(m, { target: 'discovery', kind: 'jwks-uri-other-tenant' });
      expect(q.tenantId).toBe(other);
      expect(json(await m.inject(DISCOVERY)).jwks_uri).toBe(`${ORIGIN}/${other}/discovery/v2.0/keys`);
    } finally {
      await m.inject({ method: 'DELETE', url: `/_mock/tenants/${other}` });
    }
  });

  it('?appid= names jwks_uri?appid= (Entra, for apps with their own signing keys), v2 and v1, and leaves the rest', async () => {
    const app = CONTOSO.bridge.appId;
    const plain = json(await m.inject(DISCOVERY));
    const withApp = json(await m.inject(`${DISCOVERY}?appid=${app}`));
    expect(changes(plain, withApp)).toEqual({ jwks_uri: [`${ORIGIN}/${T}/discovery/v2.0/keys`, `${ORIGIN}/${T}/discovery/v2.0/keys?appid=${app}`] });
    expect(json(await m.inject(`${DISCOVERY_V1}?appid=${app}`)).jwks_uri).toBe(`${ORIGIN}/${T}/discovery/keys?appid=${app}`);
    expect(json(await m.inject(`${DISCOVERY}?appid=not-a-guid`)).jwks_uri).toBe(`${ORIGIN}/${T}/discovery/v2.0/keys`);
  });
});

describe('JWKS', () => {
  it('several-keys lists decoys first, then the real key; the next JWKS is the real one again', async () => {
    const before = await m.inject(KEYS);
    await queue(m, { target: 'jwks', kind: 'several-keys', keys: 3 });
    const keys = json(await m.inject(KEYS)).keys as Array<Record<string, unknown>>;
    expect(keys).toHaveLength(4);
    expect(keys[3]).toEqual((json(before).keys as unknown[])[0]);
    expect(new Set(keys.map((k) => k.kid)).size).toBe(4);
    expect(Object.keys(keys[0]!)).toEqual(['kty', 'use', 'kid', 'x5t', 'n', 'e', 'x5c', 'cloud_instance_name', 'issuer']);
    expect((await m.inject(KEYS)).body).toBe(before.body);
  });

  it('server-error answers the status with an empty body, count times', async () => {
    await queue(m, { target: 'jwks', kind: 'server-error', status: 502, count: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await m.inject(KEYS);
      expect(r.statusCode).toBe(502);
      expect(r.body).toBe('');
    }
    expect((await m.inject(KEYS)).statusCode).toBe(200);
    await queue(m, { target: 'jwks', kind: 'server-error' });
    expect((await m.inject(KEYS)).statusCode).toBe(503);
  });

  it('rotate-before-signing: the next token is signed with a new key, which the JWKS now lists with the old one', async () => {
    const oldKid = decode(await mint(m, 'id_token')).header.kid;
    await queue(m, { target: 'jwks', kind: 'rotate-before-signing' });
    const token = await mint(m, 'id_token');
    const kid = decode(token).header.kid;
    expect(kid).not.toBe(oldKid);
    expect((await jwks(m)).map((k) => k.kid)).toEqual([kid, oldKid]);
    expect(await verifies(m, token)).toBe(true);
    // The rotation is real: the next tokens keep the new key.
    expect(decode(await mint(m, 'id_token')).header.kid).toBe(kid);
  });

  it('rotate-publish-after: the new key signs now, the JWKS lists it only `seconds` later (tenant clock)', async () => {
    const oldKid = decode(await mint(m, 'id_token')).header.kid;
    await queue(m, { target: 'jwks', kind: 'rotate-publish-after', seconds: 300 });
    const token = await mint(m, 'id_token');
    const kid = decode(token).header.kid;
    expect(kid).not.toBe(oldKid);
    expect((await jwks(m)).map((k) => k.kid)).toEqual([oldKid]);
    await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/clock/advance`, payload: { seconds: 299 } });
    expect((await jwks(m)).map((k) => k.kid)).toEqual([oldKid]);
    await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/clock/advance`, payload: { seconds: 1 } });
    expect((await jwks(m)).map((k) => k.kid)).toEqual([kid, oldKid]);
    expect(await verifies(m, token)).toBe(true);
  });

  it("app-signing-key: the app's ID tokens are signed with its own key, listed only at ?appid=", async () => {
    const app = CONTOSO.bridge.appId;
    const tenantKids = (await jwks(m)).map((k) => k.kid);
    const mutation = await queue(m, { target: 'jwks', kind: 'app-signing-key', clientId: app });
    expect(mutation).toMatchObject({ id: expect.stringMatching(/^mutation-\d+$/), target: 'jwks', kind: 'app-signing-key', clientId: app, applied: 0 });
    expect(mutation.remaining).toBeUndefined();
    const token = await mint(m, 'id_token');
    const kid = String(decode(token).header.kid);
    expect(tenantKids).not.toContain(kid);
    expect((await jwks(m)).map((k) => k.kid)).toEqual(tenantKids);
    const appKeys = await jwks(m, `?appid=${app}`);
    expect(appKeys.map((k) => k.kid)).toEqual([kid, ...tenantKids]);
    expect((await jwks(m, `?appid=${CONTOSO.ingestion.appId}`)).map((k) => k.kid)).toEqual(tenantKids);
    // Another app's tokens keep the tenant's key; the app's own keep its key token after token.
    expect(decode(await mint(m, 'access_token')).header.kid).toBe(tenantKids[0]);
    expect(decode(await mint(m, 'id_token')).header.kid).toBe(kid);
    await m.inject({ method: 'DELETE', url: `/_mock/tenants/${T}/mutations/${String(mutation.id)}` });
    expect(decode(await mint(m, 'id_token')).header.kid).toBe(tenantKids[0]);
  });
});

describe('userinfo', () => {
  async function graphToken(): Promise<string> {
    return String(json(await bridgeRedeem(m, await bridgeCode(m))).access_token);
  }
  const userinfo = async (token: string) => json(await m.inject({ method: 'GET', url: '/oidc/userinfo', headers: { authorization: `Bearer ${token}` } }));

  it('sub-other: another pairwise subject than the ID token’s; the rest unchanged', async () => {
    const token = await graphToken();
    const before = await userinfo(token);
    await queue(m, { target: 'userinfo', kind: 'sub-other' });
    expect(changes(before, await userinfo(token))).toEqual({ sub: [before.sub, otherSubject(T, CONTOSO.bridge.appId)] });
    expect(await userinfo(token)).toEqual(before);
  });

  it('sub-removed: no sub', async () => {
    const token = await graphToken();
    const before = await userinfo(token);
    await queue(m, { target: 'userinfo', kind: 'sub-removed', clientId: CONTOSO.bridge.appId });
    expect(changes(before, await userinfo(token))).toEqual({ sub: [before.sub, undefined] });
    const log = await requestLog(m);
    expect(log.filter((e) => e.endpoint === 'graph.userinfo').map((e) => e.mutation)).toEqual([
      undefined,
      [{ id: expect.stringMatching(/^mutation-/), target: 'userinfo', kind: 'sub-removed' }],
    ]);
  });
});

describe('hang (a real server: the connection is held, then closed without an answer)', () => {
  let mock: RunningMockEntra;
  beforeAll(async () => {
    mock = await startMockEntra({ port: 0 });
  });
  afterAll(() => mock?.close());

  it('the JWKS never answers; the connection closes after `seconds`; the log shows it with status 0; the next JWKS answers', async () => {
    const control = new (await import('../../src/index.js')).MockEntraControl(mock.url, { ca: mock.caPem });
    await control.addMutation(T, { target: 'jwks', kind: 'hang', seconds: 1 });
    const fetch = trustingFetch(mock.caPem);
    await expect(fetch(`${mock.url}${KEYS}`)).rejects.toThrow();
    const ok = await fetch(`${mock.url}${KEYS}`);
    expect(ok.status).toBe(200);
    const log = (await control.requests(T)).filter((e) => e.endpoint === 'jwks.v2');
    expect(log.map((e) => [e.status, e.mutation])).toEqual([
      [0, [{ id: expect.stringMatching(/^mutation-/), target: 'jwks', kind: 'hang' }]],
      [200, undefined],
    ]);
  });
});
