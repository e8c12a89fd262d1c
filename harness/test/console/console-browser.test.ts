import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../bridge/index.js';
import { CATALOG } from '../../../mock-idp/src/errors/catalog.js';
import type { TenantFixture } from '../../../mock-idp/src/directory/model.js';
import { startMockEntra, type RunningMockEntra } from '../../../mock-idp/src/index.js';
import { CONTOSO } from '../../../mock-idp/src/contoso.js';
import { launchChromium, newBrowserContext } from '../../../mock-idp/test/support/browser.js';

/**
 * (Here rather than in mock-idp/test/console: it drives the reference bridge, and mock-idp must
 * not depend on the harness — scripts/check-layering.mjs.)
 *
 * The console in Chromium (playwright-core + the system's Chromium): every view renders and
 * passes axe-core with no serious or critical violation, the switches work from the keyboard,
 * each one-click misconfiguration changes the tenant (seen through the control API) and the next
 * sign-in of the reference bridge fails with the scenario's AADSTS — shown in the live log with
 * the catalog's explanation — and an exported tenant loads back with -f as it was. A second mock
 * holds a generated 100,000-user tenant loaded with -f: its views render and page.
 */

const TENANT = '2b7e4c1a-9d3f-4e5a-8b6c-0d1e2f3a4b5c';
const DOMAIN = 'console-test.onmicrosoft.com';
const SCALE_TENANT = '3f0c5a4e-1b2d-4c8e-9f7a-6b5c4d3e2f10';

let mock: RunningMockEntra;
let browser: Browser;
let bridge: RunningBridge;
let consoleContext: BrowserContext;
let work: string;

beforeAll(async () => {
  [mock, browser, work] = await Promise.all([startMockEntra({ port: 0, tls: false }), launchChromium(), mkdtemp(join(tmpdir(), 'console-'))]);
  bridge = await startBridge({
    discoveryUrl: `${mock.url}/${TENANT}/v2.0/.well-known/openid-configuration`,
    clientId: CONTOSO.bridge.appId,
    clientSecret: CONTOSO.bridge.secret,
    verificationCode: 'vc-5f2a9c',
    allowInsecureRequests: true,
  });
  // A copy of Contoso whose bridge app knows this bridge's redirect URI (its port is free, not 7000)
  // and allows ID tokens from /authorize (for the implicit switch); a reset comes back to it.
  const { fixture } = await mock.control.getTenant(CONTOSO.tenantId);
  const copy = JSON.parse(
    JSON.stringify(fixture)
      .replaceAll(CONTOSO.tenantId, TENANT)
      .replace(/contoso\.onmicrosoft\.com/gi, DOMAIN),
  ) as TenantFixture;
  copy.displayName = 'Console test tenant';
  copy.applications![0]!.web = {
    ...copy.applications![0]!.web,
    redirectUris: [bridge.redirectUri],
    implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: false },
  };
  await mock.control.createTenant(copy);
  consoleContext = await newBrowserContext(browser);
}, 60_000);

afterAll(async () => {
  await consoleContext?.close();
  await Promise.all([bridge?.close(), browser?.close(), mock?.close()]);
  await rm(work, { recursive: true, force: true });
});

const ui = (path = ''): string => `${mock.url}/_mock/ui${path}`;
const upn = (user: string): string => `${user}@${DOMAIN}`;

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Applies a switch from the tenant page, as a person would; resolves once the page reloaded and shows the answer. */
async function applySwitch(page: Page, scenario: string, options: { app?: string; value?: string } = {}): Promise<string> {
  await page.goto(ui(`/tenants/${TENANT}`));
  const form = page.locator(`form:has(input[name="scenario"][value="${scenario}"])`);
  if (options.app) await form.getByLabel('Application', { exact: true }).selectOption({ label: options.app });
  if (options.value !== undefined) await form.locator('[name="value"]').fill(options.value);
  await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: /: apply$/ }).click()]);
  return (await page.locator('#status').textContent()) ?? '';
}

async function undoAll(page: Page): Promise<void> {
  await page.goto(ui(`/tenants/${TENANT}`));
  while ((await page.getByRole('button', { name: /^Undo / }).count()) > 0) {
    await Promise.all([
      page.waitForEvent('load'),
      page
        .getByRole('button', { name: /^Undo / })
        .first()
        .click(),
    ]);
  }
}

/** Signs `user` in to the bridge in a fresh browser session; what the browser ended on: signed in, or the AADSTS shown. */
async function bridgeSignIn(user: string): Promise<{ signedIn: boolean; aadsts: string | undefined }> {
  const context = await newBrowserContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(bridge.loginUrl);
    const account = page.locator(`button[name=loginfmt][value="${upn(user)}"]`);
    const end = page
      .locator('#signed-in')
      .or(page.locator('#bridge-error'))
      .or(page.getByText(/AADSTS\d+/).first());
    await account.or(end).first().waitFor();
    if ((await account.count()) > 0) await account.click();
    await end.first().waitFor();
    const text = (await page.textContent('body')) ?? '';
    return { signedIn: (await page.locator('#signed-in').count()) > 0, aadsts: /AADSTS(\d+)/.exec(text)?.[1] };
  } finally {
    await context.close();
  }
}

describe('views and accessibility', () => {
  it('every view of the default tenant renders, with no serious axe violation', async () => {
    const page = await consoleContext.newPage();
    await page.goto(ui());
    await expect(page.locator('h1').textContent()).resolves.toBe('Tenants');
    await expect(page.getByRole('link', { name: 'Console test tenant' }).count()).resolves.toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(ui(`/tenants/${CONTOSO.tenantId}`));
    await expect(page.locator('h1').textContent()).resolves.toBe('Contoso');
    await expect(page.getByRole('heading', { name: `Identity Bridge ${CONTOSO.bridge.appId}` }).count()).resolves.toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    // A refusal in the log, to render its explanation too.
    await fetch(`${mock.url}/${CONTOSO.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CONTOSO.ingestion.appId,
        client_secret: 'wrong',
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    await page.goto(ui(`/tenants/${CONTOSO.tenantId}/log`));
    await expect(page.locator('#log-rows tr', { hasText: 'AADSTS7000215' }).count()).resolves.toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('the keyboard reaches a switch and applies it (Tab, Enter)', async () => {
    const page = await consoleContext.newPage();
    await page.goto(ui(`/tenants/${TENANT}`));
    const target = 'Throttle Microsoft Graph (429): apply';
    let reached = false;
    for (let i = 0; i < 300 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) === target;
    }
    expect(reached).toBe(true);
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
    expect((await mock.control.listGraphFaults(TENANT)).map((f) => f.status)).toEqual([429]);
    await undoAll(page);
    expect(await mock.control.listGraphFaults(TENANT)).toEqual([]);
    await page.close();
  });
});

describe('one-click misconfigurations against the reference bridge', () => {
  const cases: Array<{
    scenario: string;
    user: string;
    aadsts: number;
    value?: string;
    hybrid?: boolean;
    check: (f: TenantFixture) => unknown;
    expected: unknown;
  }> = [
    {
      scenario: 'secrets/expired-secret',
      user: 'AdeleV',
      aadsts: 7000222,
      check: (f) => f.applications![0]!.passwordCredentials![0]!.endDateTime,
      expected: '2025-06-30T23:59:59Z',
    },
    {
      scenario: 'sso/redirect-uri-mismatch',
      user: 'AdeleV',
      aadsts: 50011,
      check: (f) => f.applications![0]!.web!.redirectUris,
      expected: () => [bridge.redirectUri.replace(/\/[^/]*$/, '')],
    },
    { scenario: 'seed-pingone/no-redirect-uri', user: 'AdeleV', aadsts: 500113, check: (f) => f.applications![0]!.web!.redirectUris, expected: [] },
    {
      scenario: 'seed-openmetadata/implicit-checkboxes-unchecked',
      user: 'AdeleV',
      aadsts: 700054,
      hybrid: true,
      check: (f) => f.applications![0]!.web!.implicitGrantSettings,
      expected: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false },
    },
    {
      scenario: 'real-world/user-not-assigned',
      user: 'AlexW',
      aadsts: 50105,
      check: (f) => f.servicePrincipals?.find((s) => s.appId === CONTOSO.bridge.appId)?.appRoleAssignmentRequired,
      expected: true,
    },
  ];

  for (const c of cases) {
    it(`${c.scenario}: the tenant changes, the next bridge sign-in fails with AADSTS${c.aadsts}, the live log explains it; undo signs in again`, async () => {
      await bridge.reconfigure({ responseType: c.hybrid ? 'code id_token' : undefined });
      const page = await consoleContext.newPage();
      try {
        const status = await applySwitch(page, c.scenario, { app: 'Identity Bridge' });
        expect(status).toMatch(/^.+: Identity Bridge: .+\. Expect: .+\.$/);
        expect(c.check((await mock.control.getTenant(TENANT)).fixture)).toEqual(
          typeof c.expected === 'function' ? (c.expected as () => unknown)() : c.expected,
        );

        const log = await consoleContext.newPage();
        await log.goto(ui(`/tenants/${TENANT}/log`));
        await expect(log.locator('#log-rows tr', { hasText: `applied ${c.scenario}` }).count()).resolves.toBe(1);
        await expect(bridgeSignIn(c.user)).resolves.toEqual({ signedIn: false, aadsts: String(c.aadsts) });
        // Added by the page's own polling, not by a reload.
        const row = log.locator('#log-rows tr', { hasText: `AADSTS${c.aadsts}` }).first();
        await row.waitFor();
        const text = ((await row.textContent()) ?? '').replace(/\s+/g, ' ');
        expect(text).toContain(CATALOG[c.aadsts as keyof typeof CATALOG].trigger.replace(/\s+/g, ' '));
        expect(text).toContain('Setting to change:');
        await log.close();

        await undoAll(page);
        await expect(bridgeSignIn(c.user)).resolves.toEqual({ signedIn: true, aadsts: undefined });
      } finally {
        await page.close();
        await bridge.reconfigure({ responseType: undefined });
      }
    }, 60_000);
  }

  it('group-sync/group-sync-without-admin-consent: the sync fails with 403 Authorization_RequestDenied, shown in the log; undo lets it through', async () => {
    const page = await consoleContext.newPage();
    await applySwitch(page, 'group-sync/group-sync-without-admin-consent', { app: 'Identity Bridge' });
    expect((await mock.control.getTenant(TENANT)).fixture.appRoleAssignments).toEqual([]);
    const sync = await bridge.syncGroups();
    expect(sync?.ok).toBe(false);
    await page.goto(ui(`/tenants/${TENANT}/log?q=${encodeURIComponent('graph.')}`));
    await expect(page.locator('#log-rows tr', { hasText: 'Authorization_RequestDenied' }).count()).resolves.toBeGreaterThan(0);
    await undoAll(page);
    expect((await bridge.syncGroups())?.ok).toBe(true);
    await page.close();
  }, 60_000);

  it('ingestion/token-endpoint-unavailable: the group sync (client credentials) fails with AADSTS90033, explained in the live log', async () => {
    const page = await consoleContext.newPage();
    await applySwitch(page, 'ingestion/token-endpoint-unavailable');
    expect((await mock.control.listEntraFaults(TENANT)).map((f) => f.answer)).toEqual(['temporarily_unavailable']);
    const log = await consoleContext.newPage();
    await log.goto(ui(`/tenants/${TENANT}/log`));
    expect((await bridge.syncGroups())?.ok).toBe(false);
    const row = log.locator('#log-rows tr', { has: log.locator('strong', { hasText: 'AADSTS90033' }) }).first();
    await row.waitFor();
    expect(((await row.textContent()) ?? '').replace(/\s+/g, ' ')).toContain(CATALOG[90033].trigger.replace(/\s+/g, ' '));
    await log.close();
    await undoAll(page);
    expect(await mock.control.listEntraFaults(TENANT)).toEqual([]);
    expect((await bridge.syncGroups())?.ok).toBe(true);
    await page.close();
  }, 60_000);

  it('a token mutation (rp-negatives/invalid-aud): the bridge rejects the ID token; the log shows it mutated, decoded', async () => {
    const page = await consoleContext.newPage();
    await page.goto(ui(`/tenants/${TENANT}`));
    const form = page.locator('form:has(input[name="scenario"][value="rp-negatives/*"])');
    await form.getByLabel('Scenario', { exact: true }).selectOption('rp-negatives/invalid-aud');
    await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: /: apply$/ }).click()]);
    await expect(bridgeSignIn('AdeleV')).resolves.toEqual({ signedIn: false, aadsts: undefined });
    await page.goto(ui(`/tenants/${TENANT}/log?q=token`));
    const row = page.locator('#log-rows tr', { hasText: 'mutated' }).first();
    await expect(row.textContent()).resolves.toContain('id_token: aud-near-miss');
    await row.locator('summary', { hasText: 'issued id_token v2.0' }).click();
    await expect(row.locator('pre').nth(1).textContent()).resolves.toContain(`"aud": "${CONTOSO.bridge.appId.slice(0, -1)}`);
    await undoAll(page);
    await page.close();
  }, 60_000);
});

describe('export and reload', () => {
  it('the exported tenant, loaded with -f into a new mock, is the same tenant', async () => {
    const page = await consoleContext.newPage();
    await applySwitch(page, 'sso/groups-claim-missing', { app: 'Identity Bridge' });
    await page.goto(ui(`/tenants/${TENANT}`));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export fixture' }).click()]);
    const file = join(work, download.suggestedFilename());
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe(`${DOMAIN}.fixture.json`);
    const reloaded = await startMockEntra({ port: 0, tls: false, fixtures: [file] });
    try {
      const again = await reloaded.control.getTenant(TENANT);
      expect(again.fixture).toEqual((await mock.control.getTenant(TENANT)).fixture);
      expect(again.fixture.applications![0]!.groupMembershipClaims).toBeNull();
    } finally {
      await reloaded.close();
      await undoAll(page);
      await page.close();
    }
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveProperty('tenants.length', 1);
  }, 60_000);
});

/** This machine's address beyond loopback, to be a caller the console asks for the credential. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe.skipIf(!external)('a browser beyond loopback (a mock on 0.0.0.0 reached at this machine’s address)', () => {
  const CREDENTIAL = 'console-browser-credential-0123456789abcdef';
  let remote: RunningMockEntra;
  beforeAll(async () => {
    remote = await startMockEntra({ port: 0, tls: false, host: '0.0.0.0', controlToken: CREDENTIAL });
  });
  afterAll(() => remote?.close());

  it('signs in with the control credential once: an HttpOnly, SameSite=Strict cookie for /_mock/ui that the JSON API refuses', async () => {
    const base = `http://${external!}:${new URL(remote.url).port}`;
    const context = await newBrowserContext(browser);
    try {
      const page = await context.newPage();
      const first = await page.goto(`${base}/_mock/ui`);
      expect(first?.status()).toBe(401);
      await expect(page.locator('h1').textContent()).resolves.toBe('Sign in to the console');
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByLabel('Control credential').fill('not the credential');
      await page.getByRole('button', { name: 'Open the console' }).click();
      await page.locator('#status.bad').waitFor();
      expect(await page.locator('#status').textContent()).toMatch(/^The control credential is wrong/);

      await page.getByLabel('Control credential').fill(CREDENTIAL);
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Open the console' }).click()]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Tenants');
      const cookies = await context.cookies(`${base}/_mock/ui`);
      expect(cookies.map((c) => [c.name, c.path, c.httpOnly, c.sameSite])).toEqual([['mock_entra_console', '/_mock/ui', true, 'Strict']]);
      expect(cookies[0]!.value).not.toContain(CREDENTIAL);
      // Not readable by the page's script, and no key to the JSON API.
      expect(await page.evaluate(() => document.cookie)).toBe('');
      const api = await page.evaluate(async () => (await fetch('/_mock/tenants', { credentials: 'include' })).status);
      expect(api).toBe(401);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('a 100,000-user tenant loaded with -f', () => {
  let scale: RunningMockEntra;
  beforeAll(async () => {
    const file = join(work, 'scale.yaml');
    await writeFile(
      file,
      `tenants:\n  - extends: contoso\n    id: ${SCALE_TENANT}\n    displayName: Contoso at scale\n    verifiedDomains: [scale.contoso.test]\n    generate: { seed: 42, users: 100000, groups: 2000, membershipsPerUser: 3 }\n`,
    );
    scale = await startMockEntra({ port: 0, tls: false, fixtures: [file] });
  }, 120_000);
  afterAll(() => scale?.close());

  it('its views render and page through the users and groups, with no serious axe violation', async () => {
    const page = await consoleContext.newPage();
    await page.goto(`${scale.url}/_mock/ui`);
    await expect(page.locator('tr', { hasText: 'Contoso at scale' }).textContent()).resolves.toContain('100,003');
    await page.goto(`${scale.url}/_mock/ui/tenants/${SCALE_TENANT}`);
    await expect(page.getByRole('navigation', { name: 'Users pages' }).textContent()).resolves.toMatch(/1–50 of 100,003/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('navigation', { name: 'Users pages' }).getByRole('link', { name: 'Last' }).click();
    await expect(page.getByRole('navigation', { name: 'Users pages' }).textContent()).resolves.toMatch(/100,001–100,003 of 100,003/);
    await expect(page.locator('section[aria-labelledby="users-h"] tbody tr').count()).resolves.toBe(3);
    await page.getByRole('navigation', { name: 'Groups pages' }).getByRole('link', { name: 'Next' }).click();
    await expect(page.getByRole('navigation', { name: 'Groups pages' }).textContent()).resolves.toMatch(/51–100 of 2,00\d/);
    await page.goto(`${scale.url}/_mock/ui/tenants/${SCALE_TENANT}/log`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Request log — Contoso at scale');
    await page.close();
  }, 120_000);
});
