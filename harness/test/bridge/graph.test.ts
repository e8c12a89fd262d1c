import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type BridgeGroup, type RunningBridge } from '../../bridge/index.js';
import { startMockEntra, type RunningMockEntra } from '../../../mock-idp/src/index.js';
import { launchChromium, newBrowserContext } from '../../../mock-idp/test/support/browser.js';
import { copyContoso, pickAccount, type TenantCopy } from './support.js';

/**
 * The bridge against the mock's own Microsoft Graph (no stand-in, no graphUrl: the Graph base
 * comes from discovery's msgraph_host): group sync with paging, resync, the refusal without admin
 * consent, and the group overage read through /me/transitiveMemberOf. Every test has its own
 * copy of Contoso.
 */
let mock: RunningMockEntra;
let browser: Browser;
const bridges: RunningBridge[] = [];

beforeAll(async () => {
  [mock, browser] = await Promise.all([startMockEntra({ port: 0, tls: false }), launchChromium()]);
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await Promise.all([browser?.close(), mock?.close()]);
});

async function bridgeFor(t: TenantCopy): Promise<RunningBridge> {
  const b = await startBridge({
    discoveryUrl: t.discoveryUrl,
    clientId: t.ids.bridge,
    clientSecret: 'brg8Q~Valid-Secret-Value-For-Local-Dev-001',
    verificationCode: 'vc-5f2a9c',
    allowInsecureRequests: true,
  });
  bridges.push(b);
  return b;
}

/** Groups in a comparable form: sorted by id, members sorted (Graph promises no order). */
const normalized = (groups: BridgeGroup[]): BridgeGroup[] =>
  groups.map((g) => ({ ...g, members: [...g.members].sort() })).sort((a, b) => a.id.localeCompare(b.id));

/** What the bridge should hold for a fixture's groups. */
const expectedFrom = (t: { fixture: TenantCopy['fixture'] }): BridgeGroup[] =>
  normalized((t.fixture.groups ?? []).map((g) => ({ id: g.id, displayName: g.displayName, members: g.members ?? [] })));

const guid = (n: number, tag: string): string =>
  `${tag}${n
    .toString(16)
    .padStart(8, '0')
    .slice(-(8 - tag.length))}-1111-4111-8111-${n.toString(16).padStart(12, '0')}`;

describe('group sync through the mock Graph', () => {
  it("equals the tenant's groups; a resync reflects a rename, a removal and an addition", async () => {
    const t = await copyContoso(mock.control);
    const b = await bridgeFor(t);
    await expect(b.syncGroups()).resolves.toMatchObject({ ok: true, groups: 3, pages: 1, retries: 0 });
    expect(normalized(b.status().groups)).toEqual(expectedFrom(t));

    const groups = t.fixture.groups!;
    const eng = groups.findIndex((g) => g.id === t.ids.engineering);
    const stewards = groups.findIndex((g) => g.id === t.ids.dataStewards);
    const added = { id: guid(1, 'a'), displayName: 'Auditors', groupTypes: [], securityEnabled: true, mailEnabled: false, members: [t.ids.megan] };
    await mock.control.patchFixture(t.tenantId, [
      { op: 'replace', path: `/groups/${eng}/displayName`, value: 'Platform Engineering' },
      { op: 'remove', path: `/groups/${stewards}` },
      { op: 'add', path: '/groups/-', value: added },
    ]);
    const { fixture } = await mock.control.getTenant(t.tenantId);
    await expect(b.syncGroups()).resolves.toMatchObject({ ok: true, groups: 3 });
    expect(normalized(b.status().groups)).toEqual(expectedFrom({ fixture }));
    expect(b.status().groups.find((g) => g.id === t.ids.engineering)?.displayName).toBe('Platform Engineering');
    expect(b.status().groups.some((g) => g.id === t.ids.dataStewards)).toBe(false);
  });

  it('follows @odata.nextLink: 1,200 groups come in two pages of $top=999', async () => {
    const t = await copyContoso(mock.control, (f, ids) => {
      for (let i = 0; i < 1197; i++)
        f.groups!.push({
          id: guid(i, 'b'),
          displayName: `Team ${i}`,
          groupTypes: [],
          securityEnabled: true,
          mailEnabled: false,
          members: [i % 2 ? ids.alex : ids.megan],
        });
    });
    const b = await bridgeFor(t);
    const sync = await b.syncGroups();
    expect(sync).toMatchObject({ ok: true, groups: 1200, pages: 2, retries: 0 });
    expect(normalized(b.status().groups)).toEqual(expectedFrom(t));
  });

  it('without admin consent for Group.Read.All: 403 Authorization_RequestDenied, recorded with its Graph code; the groups stay', async () => {
    const t = await copyContoso(mock.control);
    const b = await bridgeFor(t);
    await b.syncGroups();
    const consent = t.fixture.appRoleAssignments!.findIndex((a) => a.principalId === t.ids.bridge);
    await mock.control.patchFixture(t.tenantId, [{ op: 'remove', path: `/appRoleAssignments/${consent}` }]);
    const sync = await b.syncGroups();
    expect(sync).toMatchObject({
      ok: false,
      error: { phase: 'group-sync', error: 'Authorization_RequestDenied', graphCode: 'Authorization_RequestDenied', status: 403 },
    });
    expect(b.status().lastError).toMatchObject({ graphCode: 'Authorization_RequestDenied' });
    expect(normalized(b.status().groups)).toEqual(expectedFrom(t));
  });
});

describe('sign-in and synchronized groups', () => {
  it('seed step 17: a sign-in adds the user to the synchronized groups named in their token', async () => {
    const ops = guid(7, 'd');
    const t = await copyContoso(mock.control, (f, ids) => {
      f.groups!.push({ id: ops, displayName: 'Ops', groupTypes: [], securityEnabled: true, mailEnabled: false, members: [ids.alex] });
    });
    const b = await bridgeFor(t);
    await b.syncGroups();
    // Adele joins Ops after the sync: the bridge learns it from her token at sign-in.
    await mock.control.patchFixture(t.tenantId, [{ op: 'add', path: `/groups/${t.fixture.groups!.length - 1}/members/-`, value: t.ids.adele }]);
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(b.loginUrl);
      await pickAccount(page, t.upn('AdeleV'));
      await page.waitForSelector('#signed-in');
    } finally {
      await context.close();
    }
    expect([...b.status().users[0]!.groups].sort()).toEqual([t.ids.engineering, ops].sort());
    expect(b.status().users[0]!.groupSource).toBe('claim');
    expect(b.status().groups.find((g) => g.id === ops)!.members).toEqual([t.ids.alex, t.ids.adele]);
  });
});

describe("throttling (the mock Graph's faults)", () => {
  it('429 and 503 with Retry-After: the bridge waits as told, retries, and the sync completes', async () => {
    const t = await copyContoso(mock.control);
    const b = await bridgeFor(t);
    await mock.control.setGraphFault(t.tenantId, { status: 429, retryAfterSeconds: 1, count: 2, path: '/v1.0/groups' });
    await mock.control.setGraphFault(t.tenantId, { status: 503, retryAfterSeconds: 1, count: 1, path: '/v1.0/groups/*/members' });
    const started = Date.now();
    const sync = await b.syncGroups();
    expect(sync).toMatchObject({ ok: true, groups: 3, retries: 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(normalized(b.status().groups)).toEqual(expectedFrom(t));
    const throttled = (await mock.control.requests(t.tenantId)).filter((r) => r.status === 429 || r.status === 503);
    expect(throttled.map((r) => r.status).sort()).toEqual([429, 429, 503]);
  });

  it('retries are bounded: throttled for good, the sync fails with TooManyRequests and keeps the groups it had', async () => {
    const t = await copyContoso(mock.control);
    const b = await bridgeFor(t);
    await b.syncGroups();
    await mock.control.setGraphFault(t.tenantId, { status: 429, retryAfterSeconds: 1, path: '/v1.0/groups' });
    const sync = await b.syncGroups();
    expect(sync).toMatchObject({ ok: false, retries: 5, error: { phase: 'group-sync', status: 429, graphCode: 'TooManyRequests' } });
    expect(normalized(b.status().groups)).toEqual(expectedFrom(t));
    await mock.control.clearGraphFaults(t.tenantId);
  });
});

describe('group overage through the mock Graph', () => {
  it('a user in 250 groups: the bridge reads every page of /me/transitiveMemberOf/microsoft.graph.group', async () => {
    const many = Array.from({ length: 250 }, (_, i) => guid(i, 'c'));
    const t = await copyContoso(mock.control, (f, ids) => {
      for (const [i, id] of many.entries())
        f.groups!.push({ id, displayName: `Team ${i}`, groupTypes: [], securityEnabled: true, mailEnabled: false, members: [ids.adele] });
    });
    const b = await bridgeFor(t);
    await mock.control.clearRequests(t.tenantId);
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(b.loginUrl);
      await pickAccount(page, t.upn('AdeleV'));
      await expect(page.locator('#signed-in').getAttribute('data-subject')).resolves.toBe(t.ids.adele);
    } finally {
      await context.close();
    }
    const user = b.status().users[0]!;
    expect(user.groupSource).toBe('graph-overage');
    expect([...user.groups].sort()).toEqual([t.ids.engineering, t.ids.allCompany, ...many].sort());
    const graphCalls = (await mock.control.requests(t.tenantId)).filter((r) => r.url.startsWith('/v1.0/'));
    // 252 groups in Graph's pages of 100: the first request, then the two next links.
    expect(graphCalls.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(graphCalls[0]!.url).toBe('/v1.0/me/transitiveMemberOf/microsoft.graph.group?$select=id');
    expect(graphCalls.slice(1).every((r) => r.url.startsWith('/v1.0/me/transitiveMemberOf/microsoft.graph.group?$select=id&$skiptoken='))).toBe(true);
  });

  it("overageLookup 'app-only': /users/{oid}/transitiveMemberOf with the bridge's own token; without Group.Read.All, 403 in phase provisioning and nobody provisioned", async () => {
    const many = Array.from({ length: 250 }, (_, i) => guid(i, 'd'));
    const addGroups = (f: TenantCopy['fixture'], ids: TenantCopy['ids']) => {
      for (const [i, id] of many.entries())
        f.groups!.push({ id, displayName: `Team ${i}`, groupTypes: [], securityEnabled: true, mailEnabled: false, members: [ids.adele] });
    };
    const granted = await copyContoso(mock.control, addGroups);
    const denied = await copyContoso(mock.control, (f, ids) => {
      addGroups(f, ids);
      f.appRoleAssignments = [];
    });
    for (const t of [granted, denied]) {
      const b = await bridgeFor(t);
      await b.reconfigure({ overageLookup: 'app-only' });
      await mock.control.clearRequests(t.tenantId);
      const context = await newBrowserContext(browser);
      try {
        const page = await context.newPage();
        await page.goto(b.loginUrl);
        await pickAccount(page, t.upn('AdeleV'));
        await page.waitForSelector('#signed-in, #bridge-error');
      } finally {
        await context.close();
      }
      const graphCalls = (await mock.control.requests(t.tenantId)).filter((r) => r.url.startsWith('/v1.0/'));
      expect(graphCalls[0]!.url).toBe(`/v1.0/users/${t.ids.adele}/transitiveMemberOf/microsoft.graph.group?$select=id`);
      if (t === granted) {
        const user = b.status().users[0]!;
        expect(user.groupSource).toBe('graph-overage');
        expect([...user.groups].sort()).toEqual([t.ids.engineering, t.ids.allCompany, ...many].sort());
        expect(graphCalls.map((r) => r.status)).toEqual([200, 200, 200]);
      } else {
        expect(b.status().users).toEqual([]);
        expect(b.status().lastError).toMatchObject({ phase: 'provisioning', graphCode: 'Authorization_RequestDenied', status: 403 });
        expect(graphCalls.map((r) => r.status)).toEqual([403]);
      }
    }
  });
});
