import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import type { TenantFixture } from '../../src/directory/model.js';
import { trustingFetch } from '../support/real-clients.js';

/**
 * A group sync, the way an identity bridge writes one with openid-client v6: client credentials
 * with the Identity Bridge's secret, then Microsoft Graph through `fetchProtectedResource` —
 * page through /groups, then each group's /members, following @odata.nextLink, and honouring
 * Retry-After when Graph throttles. Against the running mock over HTTPS (its CA trusted through
 * `customFetch`), in a tenant of a few hundred groups built for this test, with 429s injected
 * through the test-control API. It must end with exactly the tenant's groups and memberships.
 */
const GROUPS = 320;
const USERS = 500;
const uuid = (name: string): string => {
  const h = createHash('sha256').update(`graph-sync:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

let mock: RunningMockEntra;
let tenant: TenantFixture;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  const { fixture: contoso } = await mock.control.getTenant(CONTOSO.tenantId);
  const id = uuid('tenant');
  const domain = `sync${id.slice(0, 8)}.onmicrosoft.com`;
  const users = Array.from({ length: USERS }, (_, i) => ({ id: uuid(`user-${i}`), userPrincipalName: `user${i}@${domain}`, displayName: `User ${i}` }));
  tenant = {
    ...contoso,
    id,
    displayName: 'Graph sync',
    verifiedDomains: [domain],
    users: [...contoso.users!, ...users],
    groups: [
      ...contoso.groups!,
      ...Array.from({ length: GROUPS }, (_, g) => ({
        id: uuid(`group-${g}`),
        displayName: `Sync group ${g}`,
        groupTypes: [],
        securityEnabled: true,
        mailEnabled: false,
        // About 6 memberships per user; every 40th group nests the previous one.
        members: [...users.filter((_, u) => (u * 13 + g * 7) % GROUPS < 4).map((u) => u.id), ...(g % 40 === 39 ? [uuid(`group-${g - 1}`)] : [])],
      })),
    ],
  };
  await mock.control.createTenant(tenant);
}, 60_000);

afterAll(async () => {
  await mock?.close();
});

interface SyncResult {
  groups: Map<string, string>;
  members: Map<string, string[]>;
  throttled: number;
  /** Milliseconds waited after each 429, and the Retry-After it asked for. */
  waits: Array<{ askedSeconds: number; waitedMs: number }>;
}

/** The bridge's sync: what a real client does with openid-client and Graph. */
async function syncGroups(config: client.Configuration, accessToken: string, graphBase: string): Promise<SyncResult> {
  const result: SyncResult = { groups: new Map(), members: new Map(), throttled: 0, waits: [] };
  const get = async (url: string): Promise<{ value: Array<Record<string, unknown>>; '@odata.nextLink'?: string }> => {
    for (;;) {
      const response = await client.fetchProtectedResource(config, accessToken, new URL(url), 'GET');
      if (response.status === 429 || response.status === 503) {
        result.throttled += 1;
        const asked = Number(response.headers.get('retry-after') ?? '1');
        const started = Date.now();
        await new Promise((r) => setTimeout(r, asked * 1000));
        result.waits.push({ askedSeconds: asked, waitedMs: Date.now() - started });
        continue;
      }
      if (!response.ok) throw new Error(`Graph answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string };
    }
  };
  let next: string | undefined = `${graphBase}/v1.0/groups?$select=id,displayName&$top=999`;
  while (next) {
    const page = await get(next);
    for (const g of page.value) result.groups.set(String(g.id), String(g.displayName));
    next = page['@odata.nextLink'];
  }
  for (const id of result.groups.keys()) {
    const members: string[] = [];
    let link: string | undefined = `${graphBase}/v1.0/groups/${id}/members?$select=id&$top=100`;
    while (link) {
      const page = await get(link);
      members.push(...page.value.map((m) => String(m.id)));
      link = page['@odata.nextLink'];
    }
    result.members.set(id, members.sort());
  }
  return result;
}

describe('openid-client v6: a Graph group sync', () => {
  it('pages through /groups and every group’s /members, waits out injected 429s, and ends with exactly the tenant’s groups and memberships', async () => {
    const config = await client.discovery(
      new URL(`${mock.url}/${tenant.id}/v2.0`),
      CONTOSO.bridge.appId,
      undefined,
      client.ClientSecretPost(CONTOSO.bridge.secret),
      {
        [client.customFetch]: trustingFetch(mock.caPem),
      },
    );
    const tokens = await client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' });

    // Graph throttles: the first /groups call, and two member reads further on.
    await mock.control.setGraphFault(tenant.id, { status: 429, retryAfterSeconds: 1, count: 1, path: '/v1.0/groups' });
    await mock.control.setGraphFault(tenant.id, { status: 429, retryAfterSeconds: 2, rate: 0.02, seed: 7, limit: 2, path: '/v1.0/groups/*/members' });
    expect(await mock.control.listGraphFaults(tenant.id)).toHaveLength(2);

    const synced = await syncGroups(config, tokens.access_token, mock.url);

    expect(synced.throttled).toBe(3);
    expect(synced.waits.map((w) => w.askedSeconds)).toEqual([1, 2, 2]);
    for (const w of synced.waits) expect(w.waitedMs).toBeGreaterThanOrEqual(w.askedSeconds * 1000 - 5);
    expect(await mock.control.listGraphFaults(tenant.id)).toEqual([]);

    expect(synced.groups.size).toBe(tenant.groups!.length);
    expect(new Map([...synced.groups].sort())).toEqual(new Map(tenant.groups!.map((g) => [g.id, g.displayName] as [string, string]).sort()));
    for (const g of tenant.groups!) expect(synced.members.get(g.id), g.displayName).toEqual([...new Set(g.members ?? [])].sort());

    // The tenant's request log tells the story: each 429 followed by the same call succeeding.
    const log = await mock.control.requests(tenant.id);
    const throttled = log.filter((e) => e.status === 429);
    expect(throttled).toHaveLength(3);
    expect(throttled.every((e) => e.error === 'TooManyRequests')).toBe(true);
    for (const t of throttled) {
      const i = log.indexOf(t);
      expect(log[i + 1]).toMatchObject({ url: t.url, status: 200 });
    }
  }, 120_000);

  it('is refused by Graph (403) when the Group.Read.All consent is missing, as PingOne’s guide warns', async () => {
    const id = uuid('no-consent');
    await mock.control.createTenant({
      ...tenant,
      id,
      displayName: 'No consent',
      verifiedDomains: [`noconsent${id.slice(0, 6)}.onmicrosoft.com`],
      appRoleAssignments: [],
      groups: tenant.groups!.slice(0, 3),
      users: tenant.users!.slice(0, 3),
    });
    const config = await client.discovery(new URL(`${mock.url}/${id}/v2.0`), CONTOSO.bridge.appId, undefined, client.ClientSecretPost(CONTOSO.bridge.secret), {
      [client.customFetch]: trustingFetch(mock.caPem),
    });
    const tokens = await client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' });
    const response = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${mock.url}/v1.0/groups`), 'GET');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('Authorization_RequestDenied');
  });
});
