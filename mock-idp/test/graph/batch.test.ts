import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import { appToken, copyOfContoso, expectGraphError, grantAppRoles, GRAPH, graph, ODATA_JSON, ok, userToken } from './graph-support.js';

/** POST /v1.0/$batch: up to 20 requests, each answered as a direct call would be; dependsOn; per-item faults. */
let m: TestMock;
let token: string;
/** A copy of Contoso where the bridge reads users and groups (User.Read.All, Group.Read.All). */
const readerTenant = (): Promise<string> => copyOfContoso(m, (f) => grantAppRoles(f, 'User.Read.All'));

beforeAll(async () => {
  m = await mockApp();
  token = await appToken(m, await readerTenant());
});
afterAll(() => m.close());

interface Item {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}
const batch = async (requests: unknown[], t = token): Promise<Item[]> => {
  const r = await graph(m, t, '/v1.0/$batch', { body: { requests } });
  return ok(r).responses as Item[];
};
const ITEM_OK_HEADERS = { 'Cache-Control': 'no-cache', 'x-ms-resource-unit': '1', 'OData-Version': '4.0', 'Content-Type': ODATA_JSON };

describe('$batch answers', () => {
  it('runs each request through the same routes: the items equal the direct answers, ids and order kept', async () => {
    const { engineering } = CONTOSO.groups;
    const items = await batch([
      { id: '1', method: 'GET', url: '/users?$top=2&$select=id,displayName' },
      { id: 'b', method: 'GET', url: `groups/${engineering}?$select=displayName` },
      { id: '3', method: 'GET', url: `/users/${CONTOSO.users.alex.upn}` },
    ]);
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['1', 200],
      ['b', 200],
      ['3', 200],
    ]);
    const direct = ok(await graph(m, token, '/v1.0/users?$top=2&$select=id,displayName'));
    expect(items[0]!.body).toEqual(direct);
    expect(String(items[0]!.body!['@odata.nextLink'])).toMatch(/^https:\/\/localhost:8443\/v1\.0\/users\?\$top=2&\$select=id,displayName&\$skiptoken=X%27/);
    expect(items[1]!.body).toEqual({ '@odata.context': `${GRAPH}/v1.0/$metadata#groups(displayName)/$entity`, displayName: 'Engineering' });
    expect(items[2]!.body!.id).toBe(CONTOSO.users.alex.id);
    expect(items[0]!.headers).toEqual(ITEM_OK_HEADERS);
  });

  it('hands each JSON answer over whole: a batch of members pages carries the exact text of the direct pages', async () => {
    const { engineering, allCompany } = CONTOSO.groups;
    const urls = [`/groups/${engineering}/members`, `/groups/${allCompany}/members?$top=2`];
    const r = await graph(m, token, '/v1.0/$batch', { body: { requests: urls.map((url, i) => ({ id: String(i + 1), method: 'GET', url })) } });
    for (const [i, url] of urls.entries()) {
      const direct = (await graph(m, token, `/v1.0${url}`)).body;
      const headers = JSON.stringify({ 'OData-Version': '4.0', 'Cache-Control': 'no-cache', 'x-ms-resource-unit': '1', 'Content-Type': ODATA_JSON });
      expect(r.body).toContain(`{"id":"${i + 1}","status":200,"headers":${headers},"body":${direct}}`);
    }
  });

  it("the handoff header is the batch's alone: sent by a client, or as an item header, it changes nothing", async () => {
    const url = `/v1.0/groups/${CONTOSO.groups.engineering}/members`;
    const direct = await graph(m, token, url);
    for (const forged of ['x', '0'.repeat(32) + '.0']) {
      const r = await graph(m, token, url, { headers: { 'x-mock-entra-batch-item': forged } });
      expect([r.statusCode, r.body]).toEqual([200, direct.body]);
    }
    const items = await batch([{ id: '1', method: 'GET', url: url.slice('/v1.0'.length), headers: { 'x-mock-entra-batch-item': 'x' } }]);
    expect(items[0]!.body).toEqual(JSON.parse(direct.body));
  });

  it("answers each item's refusal in Graph's shape, inside a 200 batch", async () => {
    const items = await batch([
      { id: '1', method: 'GET', url: '/users/00000000-0000-0000-0000-00000000dead' },
      { id: '2', method: 'GET', url: '/groups/not-a-guid' },
      { id: '3', method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' },
      { id: '4', method: 'GET', url: '/users/../../_mock/tenants' },
    ]);
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['1', 404],
      ['2', 400],
      ['3', 400],
      ['4', 400],
    ]);
    const e = (i: Item) => i.body!.error as Record<string, unknown>;
    expect([e(items[0]!).code, e(items[0]!).message]).toEqual([
      'Request_ResourceNotFound',
      "Resource '00000000-0000-0000-0000-00000000dead' does not exist or one of its queried reference-property objects are not present.",
    ]);
    expect([e(items[1]!).code, e(items[1]!).message]).toEqual(['Request_BadRequest', "Invalid object identifier 'not-a-guid'."]);
    expect(items[2]!.body).toEqual({ error: { code: 'BadRequest', message: 'Invalid request URL' } });
    expect(items[3]!.body).toEqual({ error: { code: 'BadRequest', message: 'Invalid request URL' } });
    expect(items[0]!.headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it("checks each item's permission with the batch's token", async () => {
    // Adele's delegated token (User.Read): /me passes, /users does not.
    const t = await userToken(m, { scope: 'openid User.Read' });
    expect(t).not.toBe('');
    const items = await batch(
      [
        { id: 'me', method: 'GET', url: '/me?$select=id' },
        { id: 'all', method: 'GET', url: '/users' },
      ],
      t,
    );
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['me', 200],
      ['all', 403],
    ]);
    expect((items[1]!.body!.error as Record<string, unknown>).code).toBe('Authorization_RequestDenied');
  });

  it('serves a text answer ($count) as a string', async () => {
    const items = await batch([{ id: '1', method: 'GET', url: '/users/$count', headers: { ConsistencyLevel: 'eventual' } }]);
    const direct = await graph(m, token, '/v1.0/users/$count', { headers: { ConsistencyLevel: 'eventual' } });
    expect(direct.statusCode).toBe(200);
    expect(items[0]).toEqual({
      id: '1',
      status: 200,
      headers: { 'Cache-Control': 'no-cache', 'x-ms-resource-unit': '1', 'OData-Version': '4.0', 'Content-Type': 'text/plain' },
      body: direct.body,
    });
  });
});

describe("the README's batch", () => {
  it('runs as written (Contoso ids): three 200s', async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((b) => b[1]!).filter((b) => b.includes('"requests"'));
    expect(blocks).toHaveLength(1);
    const { requests } = JSON.parse(blocks[0]!) as { requests: unknown[] };
    const items = await batch(requests);
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['1', 200],
      ['2', 200],
      ['3', 200],
    ]);
    expect(items[2]!.body!['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#directoryObjects`);
  });
});

describe('dependsOn', () => {
  it('runs a sequence in order and answers 424 for every request after a failed one', async () => {
    const items = await batch([
      { id: '1', method: 'GET', url: '/me' },
      { id: '2', method: 'GET', url: '/users?$top=1', dependsOn: ['1'] },
      { id: '3', method: 'GET', url: '/groups?$top=1', dependsOn: ['2'] },
    ]);
    // An app-only token has no /me: 400, and what follows depends on it.
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['1', 400],
      ['2', 424],
      ['3', 424],
    ]);
    expect(items[1]!.body).toEqual({ error: { code: 'FailedDependency', message: 'The request it depends on failed.' } });
  });

  it('runs every request of a successful sequence', async () => {
    const items = await batch([
      { id: '1', method: 'GET', url: '/users?$top=1' },
      { id: '2', method: 'GET', url: '/groups?$top=1', dependsOn: ['1'] },
    ]);
    expect(items.map((i) => i.status)).toEqual([200, 200]);
  });
});

describe('the batch refused as a whole (400)', () => {
  const refused = async (body: unknown, code: string, message: string) => expectGraphError(await graph(m, token, '/v1.0/$batch', { body }), 400, code, message);

  it('more than 20 requests', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/users?$top=1' }));
    await refused({ requests }, 'BadRequest', 'The batch request exceeds the maximum of 20 requests.');
    // 20 pass.
    expect((await batch(requests.slice(0, 20))).length).toBe(20);
  });
  it('duplicate ids', async () => {
    await refused(
      {
        requests: [
          { id: '1', method: 'GET', url: '/users' },
          { id: '1', method: 'GET', url: '/groups' },
        ],
      },
      'BadRequest',
      "The batch request contains more than one request with id '1'.",
    );
  });
  it('a dependsOn naming no earlier request, a half-sequenced batch, a malformed body', async () => {
    await refused(
      { requests: [{ id: '1', method: 'GET', url: '/users', dependsOn: ['9'] }] },
      'BadRequest',
      "The request '1' depends on '9', which is not in the batch.",
    );
    await refused(
      {
        requests: [
          { id: '1', method: 'GET', url: '/users' },
          { id: '2', method: 'GET', url: '/users' },
          { id: '3', method: 'GET', url: '/users', dependsOn: ['1'] },
        ],
      },
      'BadRequest',
      'Batch should be either fully sequential or fully parallel',
    );
    await refused({ value: [] }, 'BadRequest', 'Invalid batch payload format.');
    await refused({ requests: [{ id: '1', url: '/users' }] }, 'BadRequest', 'Invalid batch payload format.');
    expectGraphError(
      await graph(m, token, '/v1.0/$batch', { rawBody: '{"requests":' }),
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  });
  it('no token: 401 for the batch', async () => {
    expectGraphError(await graph(m, undefined, '/v1.0/$batch', { body: { requests: [] } }), 401, 'InvalidAuthenticationToken', 'Access token is empty.');
  });
});

describe('faults apply per item', () => {
  it('a throttled item carries its own 429 and Retry-After; the batch answers 200', async () => {
    const tenant = await readerTenant();
    const t = await appToken(m, tenant);
    const r = await m.inject({
      method: 'POST',
      url: `/_mock/tenants/${tenant}/graph/faults`,
      payload: JSON.stringify({ status: 429, retryAfterSeconds: 9, count: 1, path: '/v1.0/groups*' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(r.statusCode, r.body).toBe(201);
    const items = await batch(
      [
        { id: 'u', method: 'GET', url: '/users?$top=1' },
        { id: 'g', method: 'GET', url: '/groups?$top=1' },
        { id: 'g2', method: 'GET', url: '/groups?$top=2' },
      ],
      t,
    );
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['u', 200],
      ['g', 429],
      ['g2', 200],
    ]);
    expect(items[1]!.headers).toEqual({ 'Content-Type': 'application/json', 'Retry-After': '9' });
    expect((items[1]!.body!.error as Record<string, unknown>).code).toBe('TooManyRequests');
    expect((items[1]!.body!.error as Record<string, unknown>).message).toBe('Too many requests.');
  });

  it('a fault on every Graph path throttles the items, not the batch', async () => {
    const tenant = await readerTenant();
    const t = await appToken(m, tenant);
    await m.inject({
      method: 'POST',
      url: `/_mock/tenants/${tenant}/graph/faults`,
      payload: JSON.stringify({ status: 503, count: 2 }),
      headers: { 'content-type': 'application/json' },
    });
    const items = await batch(
      [
        { id: '1', method: 'GET', url: '/users?$top=1' },
        { id: '2', method: 'GET', url: '/users?$top=1', dependsOn: ['1'] },
        { id: '3', method: 'GET', url: '/users?$top=1', dependsOn: ['2'] },
      ],
      t,
    );
    expect(items.map((i) => i.status)).toEqual([503, 424, 424]);
    // The second fault's call is still there for the next direct call.
    expect((await graph(m, t, '/v1.0/users?$top=1')).statusCode).toBe(503);
    expect((await graph(m, t, '/v1.0/users?$top=1')).statusCode).toBe(200);
  });
});
