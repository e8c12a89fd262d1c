import { BatchRequestContent, BatchResponseContent, Client, PageIterator, type FetchOptions, type PageCollection } from '@microsoft/microsoft-graph-client';
import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import type { TenantFixture } from '../../src/directory/model.js';
import { stableUuid } from '../../src/support/ids.js';
import { appRoleId } from './graph-support.js';

/**
 * The Graph JS SDK (@microsoft/microsoft-graph-client 3) against the running mock over HTTPS
 * (the SDK sends its token to https hosts only; the mock's CA is trusted through the fetch
 * options' undici dispatcher): a `$batch` built with BatchRequestContent (a sequence with dependsOn, a throttled item)
 * read back with BatchResponseContent, and PageIterator over the new collections
 * (/servicePrincipals, /applications, a service principal's appRoleAssignedTo).
 */
let mock: RunningMockEntra;
let client: Client;
let tenantId: string;
const APPS = 130;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  const dispatcher = new Agent({ connect: { ca: readFileSync(mock.caPath!, 'utf8') } });
  const { fixture: contoso } = await mock.control.getTenant(CONTOSO.tenantId);
  tenantId = stableUuid('graph-sdk-tenant');
  const apps = Array.from({ length: APPS }, (_, i) => ({ appId: stableUuid(`graph-sdk-app-${i}`), displayName: `Sync app ${String(i).padStart(3, '0')}` }));
  const roles = ['Application.Read.All', 'User.Read.All', 'Group.Read.All'].map((r) => ({
    principalId: CONTOSO.bridge.appId,
    principalType: 'ServicePrincipal' as const,
    resourceId: '00000003-0000-0000-c000-000000000000',
    appRoleId: appRoleId(r),
  }));
  const tenant: TenantFixture = {
    ...contoso,
    id: tenantId,
    displayName: 'Graph SDK',
    verifiedDomains: ['graphsdk.example.com'],
    applications: [...contoso.applications!, ...apps],
    appRoleAssignments: roles,
  };
  await mock.control.createTenant(tenant);
  const r = await undiciFetch(`${mock.url}/${tenantId}/oauth2/v2.0/token`, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  const token = ((await r.json()) as { access_token: string }).access_token;
  // The SDK hands its fetchOptions to fetch, which takes undici's dispatcher (not in the SDK's type).
  const fetchOptions: FetchOptions & { dispatcher: Agent } = { dispatcher };
  client = Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: `${mock.url}/`,
    customHosts: new Set([new URL(mock.url).hostname]),
    fetchOptions,
  });
}, 60_000);

afterAll(async () => {
  await mock?.close();
});

describe('BatchRequestContent / BatchResponseContent', () => {
  it('sends a batch of independent requests and reads each answer by its id', async () => {
    const batch = new BatchRequestContent([
      { id: 'users', request: new Request(`${mock.url}/v1.0/users?$top=2&$select=id`, { method: 'GET' }) },
      { id: 'group', request: new Request(`${mock.url}/v1.0/groups/${CONTOSO.groups.engineering}?$select=displayName`, { method: 'GET' }) },
      {
        id: 'sp',
        request: new Request(`${mock.url}/v1.0/servicePrincipals?$filter=appId eq '${CONTOSO.bridge.appId}'&$select=displayName`, { method: 'GET' }),
      },
    ]);
    const response = new BatchResponseContent(await client.api('/$batch').post(await batch.getContent()));
    const users = response.getResponseById('users')!;
    expect(users.status).toBe(200);
    expect(((await users.json()) as { value: unknown[] }).value).toHaveLength(2);
    expect(await response.getResponseById('group')!.json()).toEqual({
      '@odata.context': `${mock.url}/v1.0/$metadata#groups(displayName)/$entity`,
      displayName: 'Engineering',
    });
    expect(((await response.getResponseById('sp')!.json()) as { value: unknown[] }).value).toEqual([{ displayName: 'Identity Bridge' }]);
  });

  it('a throttled item carries its 429 and Retry-After; the requests that depend on it answer 424', async () => {
    const fault = await mock.control.setGraphFault(tenantId, { status: 429, retryAfterSeconds: 4, count: 1, path: '/v1.0/groups' });
    expect(fault.remaining).toBe(1);
    const batch = new BatchRequestContent([
      { id: '1', request: new Request(`${mock.url}/v1.0/users?$top=1`, { method: 'GET' }) },
      { id: '2', request: new Request(`${mock.url}/v1.0/groups`, { method: 'GET' }), dependsOn: ['1'] },
      { id: '3', request: new Request(`${mock.url}/v1.0/applications?$top=1`, { method: 'GET' }), dependsOn: ['2'] },
    ]);
    const response = new BatchResponseContent(await client.api('/$batch').post(await batch.getContent()));
    expect([...response.getResponses()].map(([id, r]) => [id, r.status])).toEqual([
      ['1', 200],
      ['2', 429],
      ['3', 424],
    ]);
    const throttled = response.getResponseById('2')!;
    expect(throttled.headers.get('retry-after')).toBe('4');
    expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe('TooManyRequests');
  });
});

describe('PageIterator over the new collections', () => {
  it('/servicePrincipals and /applications, page by page to the end', async () => {
    for (const [path, expected] of [
      ['/servicePrincipals', APPS + 4],
      ['/applications', APPS + 3],
    ] as const) {
      const seen: string[] = [];
      const first = (await client.api(path).select('id,appId,displayName').top(50).get()) as PageCollection;
      const iterator = new PageIterator(client, first, (item: { id: string }) => {
        seen.push(item.id);
        return true;
      });
      await iterator.iterate();
      expect(new Set(seen).size).toBe(expected);
      expect(seen).toHaveLength(expected);
    }
  });

  it("a service principal's appRoleAssignedTo", async () => {
    const graphSp = stableUuid(`sp:${tenantId}:00000003-0000-0000-c000-000000000000`);
    const roles: string[] = [];
    const first = (await client.api(`/servicePrincipals/${graphSp}/appRoleAssignedTo`).top(1).get()) as PageCollection;
    await new PageIterator(client, first, (a: { appRoleId: string }) => {
      roles.push(a.appRoleId);
      return true;
    }).iterate();
    expect(roles.sort()).toEqual(['Application.Read.All', 'User.Read.All', 'Group.Read.All'].map(appRoleId).sort());
  });
});
