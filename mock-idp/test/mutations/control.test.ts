import { describe, expect, it } from 'vitest';
import { kindsOf } from '../../src/tokens/mutations.js';
import { CONTOSO, json, T, type TestMock } from '../support/mock-app.js';
import { decode, mint, queue, requestLog, withFrozenContoso } from './support.js';

/**
 * The control routes of "Broken on purpose": refusals in the control API's shape, the bounded
 * queue, `count` and `clientId`, DELETE and reset, and the request log naming each mutation on
 * the response it changed.
 */

let m: TestMock;
withFrozenContoso((mock) => (m = mock));

const URL = `/_mock/tenants/${T}/mutations`;
const post = (payload: unknown) => m.inject({ method: 'POST', url: URL, payload: payload as Record<string, unknown> });
const list = async () => json(await m.inject(URL)).mutations as Array<Record<string, unknown>>;

describe('refusals', () => {
  it.each([
    [[], ['The body must be a JSON object.']],
    [{ kind: 'iss-near-miss' }, ["'target' must be one of id_token, access_token, refresh_id_token, userinfo, discovery, jwks."]],
    [{ target: 'userinfo', kind: 'iss-near-miss' }, ["'kind' must be one of, for target userinfo: sub-removed, sub-other."]],
    [{ target: 'id_token', kind: 'iss-near-miss', count: 0 }, ["'count' must be a whole number from 1 to 1000."]],
    [{ target: 'id_token', kind: 'iss-near-miss', count: 1001 }, ["'count' must be a whole number from 1 to 1000."]],
    [{ target: 'id_token', kind: 'iss-near-miss', count: 1.5 }, ["'count' must be a whole number from 1 to 1000."]],
    [{ target: 'id_token', kind: 'iss-near-miss', clientId: 'bridge' }, ["'clientId' must be an application id (a GUID)."]],
    [{ target: 'id_token', kind: 'iss-near-miss', value: 'x' }, ["'value' does not go with iss-near-miss."]],
    [{ target: 'id_token', kind: 'iss-wild', value: 'x'.repeat(2001) }, ["'value' must be a string of 1 to 2000 characters."]],
    [{ target: 'id_token', kind: 'iss-other-tenant', tenantId: 'contoso' }, ["'tenantId' must be a tenant GUID."]],
    [{ target: 'id_token', kind: 'nbf-future', seconds: -1 }, ["'seconds' must be a whole number from 1 to 31536000."]],
    [{ target: 'jwks', kind: 'hang', seconds: 61 }, ["'seconds' must be a whole number from 1 to 60."]],
    [{ target: 'jwks', kind: 'server-error', status: 404 }, ["'status' must be one of 500, 502, 503, 504."]],
    [{ target: 'jwks', kind: 'several-keys', keys: 6 }, ["'keys' must be a whole number from 1 to 5."]],
    [
      { target: 'jwks', kind: 'server-error', clientId: CONTOSO.bridge.appId },
      ["server-error changes a document no client is named in: it takes no 'clientId'."],
    ],
    [{ target: 'jwks', kind: 'app-signing-key' }, ["app-signing-key needs the 'clientId' of the app whose key it is."]],
    [
      { target: 'jwks', kind: 'app-signing-key', clientId: CONTOSO.bridge.appId, count: 2 },
      ["app-signing-key lasts until DELETE or reset: it takes no 'count'."],
    ],
    [{ target: 'id_token', kind: 'iss-near-miss', extra: 1 }, ["Unknown member 'extra'."]],
  ])('%j → 400 InvalidMutation', async (body, issues) => {
    const r = await post(body);
    expect(r.statusCode).toBe(400);
    expect(json(r)).toEqual({ error: { code: 'InvalidMutation', message: issues.join(' '), issues } });
  });

  it('an unknown kind lists every kind the target takes', async () => {
    const r = await post({ target: 'id_token', kind: 'iss-off-by-one' });
    expect(json(r).error).toMatchObject({ message: `'kind' must be one of, for target id_token: ${kindsOf('id_token').join(', ')}.` });
    expect(kindsOf('id_token')).toContain('c_hash-altered');
    expect(kindsOf('access_token')).toContain('graph-nonce');
    expect(kindsOf('access_token')).not.toContain('nonce-removed');
  });

  it('a body that is not JSON, an unknown tenant, an unknown mutation answer in the control shape', async () => {
    const r = await m.inject({ method: 'POST', url: URL, payload: '{"target":', headers: { 'content-type': 'application/json' } });
    expect(r.statusCode).toBe(400);
    expect(json(r)).toEqual({ error: { code: 'InvalidMutation', message: 'The body must be a JSON object.', issues: ['The body must be a JSON object.'] } });
    const none = await m.inject({ method: 'GET', url: '/_mock/tenants/00000000-0000-4000-8000-000000000000/mutations' });
    expect(none.statusCode).toBe(404);
    expect(json(none)).toEqual({ error: { code: 'NotFound', message: 'No tenant 00000000-0000-4000-8000-000000000000.' } });
    const gone = await m.inject({ method: 'DELETE', url: `${URL}/mutation-999` });
    expect(gone.statusCode).toBe(404);
    expect(json(gone)).toEqual({ error: { code: 'NotFound', message: `No mutation mutation-999 in tenant ${T}.` } });
  });

  it('holds at most 100 per tenant: the 101st is 409', async () => {
    for (let i = 0; i < 100; i++) expect((await post({ target: 'discovery', kind: 'issuer-near-miss' })).statusCode).toBe(201);
    const r = await post({ target: 'discovery', kind: 'issuer-near-miss' });
    expect(r.statusCode).toBe(409);
    expect(json(r)).toEqual({ error: { code: 'Conflict', message: 'A tenant holds at most 100 mutations; DELETE some first.' } });
  });
});

describe('queue', () => {
  it('POST answers 201 with the mutation; GET lists applied/remaining; spent ones disappear', async () => {
    const q = await queue(m, { target: 'id_token', kind: 'iss-near-miss', count: 2 });
    expect(q).toEqual({ id: q.id, target: 'id_token', kind: 'iss-near-miss', count: 2, applied: 0, remaining: 2 });
    const iss = `https://localhost:8443/${T}/v2.0`;
    expect(decode(await mint(m, 'id_token')).claims.iss).toBe(`${iss}1`);
    expect(await list()).toEqual([{ ...q, applied: 1, remaining: 1 }]);
    expect(decode(await mint(m, 'id_token')).claims.iss).toBe(`${iss}1`);
    expect(await list()).toEqual([]);
    expect(decode(await mint(m, 'id_token')).claims.iss).toBe(iss);
  });

  it('clientId: only that client’s tokens; others pass untouched and the mutation waits', async () => {
    await queue(m, { target: 'access_token', kind: 'aud-near-miss', clientId: CONTOSO.bridge.appId });
    expect(decode(await mint(m, 'access_token')).claims.aud).toBe(CONTOSO.openMetadataUi.apiUri);
    expect(await list()).toMatchObject([{ applied: 0, remaining: 1 }]);
    await m.inject({ method: 'DELETE', url: URL });
    await queue(m, { target: 'access_token', kind: 'aud-near-miss', clientId: CONTOSO.ingestion.appId.toUpperCase() });
    expect(decode(await mint(m, 'access_token')).claims.aud).toBe(`${CONTOSO.openMetadataUi.apiUri}1`);
  });

  it('mutations apply in the order queued, one per token', async () => {
    await queue(m, { target: 'id_token', kind: 'sub-removed' });
    await queue(m, { target: 'id_token', kind: 'iat-removed' });
    const first = decode(await mint(m, 'id_token')).claims;
    expect([first.sub, typeof first.iat]).toEqual([undefined, 'number']);
    const second = decode(await mint(m, 'id_token')).claims;
    expect([typeof second.sub, second.iat]).toEqual(['string', undefined]);
  });

  it('DELETE one, DELETE all, and reset clear the queue', async () => {
    const a = await queue(m, { target: 'id_token', kind: 'sub-removed' });
    await queue(m, { target: 'jwks', kind: 'server-error' });
    expect((await m.inject({ method: 'DELETE', url: `${URL}/${String(a.id)}` })).statusCode).toBe(204);
    expect((await list()).map((x) => x.kind)).toEqual(['server-error']);
    expect((await m.inject({ method: 'DELETE', url: URL })).statusCode).toBe(204);
    expect(await list()).toEqual([]);
    await queue(m, { target: 'jwks', kind: 'server-error' });
    await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/reset` });
    expect(await list()).toEqual([]);
    expect((await m.inject(`/${T}/discovery/v2.0/keys`)).statusCode).toBe(200);
  });

  it('another tenant’s mutations never touch this one', async () => {
    const other = '3b4c5d6e-7f80-4912-a3b4-c5d6e7f80912';
    await m.inject({
      method: 'POST',
      url: '/_mock/tenants',
      payload: { extends: 'contoso', id: other, displayName: 'Other', verifiedDomains: ['other.example'] },
    });
    try {
      await m.inject({ method: 'POST', url: `/_mock/tenants/${other}/mutations`, payload: { target: 'discovery', kind: 'issuer-near-miss', count: 5 } });
      expect(json(await m.inject(`/${T}/v2.0/.well-known/openid-configuration`)).issuer).toBe(`https://localhost:8443/${T}/v2.0`);
    } finally {
      await m.inject({ method: 'DELETE', url: `/_mock/tenants/${other}` });
    }
  });
});

describe('request log', () => {
  it('names the mutations on the token response they changed, and on nothing else', async () => {
    await m.inject({ method: 'DELETE', url: `/_mock/tenants/${T}/requests` });
    const a = await queue(m, { target: 'id_token', kind: 'iss-near-miss' });
    const b = await queue(m, { target: 'refresh_id_token', kind: 'sub-other' });
    await mint(m, 'refresh_id_token');
    const log = (await requestLog(m)).filter((e) => String(e.endpoint).startsWith('token.'));
    expect(log.map((e) => [e.flow, e.mutation])).toEqual([
      ['authorization_code', [{ id: a.id, target: 'id_token', kind: 'iss-near-miss' }]],
      ['refresh_token', [{ id: b.id, target: 'refresh_id_token', kind: 'sub-other' }]],
    ]);
    expect((await requestLog(m)).filter((e) => e.endpoint !== 'token.v2').every((e) => e.mutation === undefined)).toBe(true);
  });

  it('an ID token minted by /authorize (implicit) is named on that request', async () => {
    await m.inject({ method: 'DELETE', url: `/_mock/tenants/${T}/requests` });
    const q = await queue(m, { target: 'id_token', kind: 'at_hash-removed' });
    const { authorizeSpa } = await import('./support.js');
    await authorizeSpa(m, 'id_token token');
    const log = await requestLog(m);
    expect(log.map((e) => [e.endpoint, e.mutation])).toEqual([['authorize.v2', [{ id: q.id, target: 'id_token', kind: 'at_hash-removed' }]]]);
  });

  it('a rotation and a claim mutation on the same response are both named', async () => {
    await m.inject({ method: 'DELETE', url: `/_mock/tenants/${T}/requests` });
    const r = await queue(m, { target: 'jwks', kind: 'rotate-before-signing', clientId: CONTOSO.ingestion.appId });
    const c = await queue(m, { target: 'access_token', kind: 'exp-removed' });
    await mint(m, 'access_token');
    expect((await requestLog(m)).map((e) => e.mutation)).toEqual([
      [
        { id: r.id, target: 'jwks', kind: 'rotate-before-signing' },
        { id: c.id, target: 'access_token', kind: 'exp-removed' },
      ],
    ]);
  });
});
