import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { PublicClientApplication } from '@azure/msal-node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { msalNetworkClient } from '../../src/testing.js';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { cloneContoso, decodeJwtPart, trustingFetch, type ClonedTenant } from '../support/real-clients.js';

/**
 * The device-code flow with the clients that use it, against the mock over HTTPS: MSAL Node's
 * acquireTokenByDeviceCode (the user finishes the page in Chromium: code box, account picker,
 * "Continue"), @azure/identity's DeviceCodeCredential and MSAL for Python's initiate_device_flow /
 * acquire_token_by_device_flow (each in a process of its own, trusting the mock's CA as the README
 * says; the user finishes the page by the `mock_login=auto` automation). Every client waits the
 * `interval` (5 s) between polls, so each test takes a little over 5 s.
 */

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const GRAPH = '00000003-0000-0000-c000-000000000000';
const PYTHON = '/usr/bin/python3';
const hasPythonMsal = spawnSync(PYTHON, ['-c', 'import msal'], { stdio: 'ignore' }).status === 0;

let mock: RunningMockEntra;
let tenant: ClonedTenant;
let cli: string;
let browser: Browser;
let work: string;

beforeAll(async () => {
  cli = randomUUID();
  [mock, browser] = await Promise.all([startMockEntra({ port: 0 }), launchChromium()]);
  tenant = await cloneContoso(mock.control, (f) => {
    f.applications = [
      ...(f.applications ?? []),
      {
        appId: cli,
        displayName: 'Contoso CLI',
        signInAudience: 'AzureADMyOrg',
        isFallbackPublicClient: true,
        publicClient: { redirectUris: ['http://localhost'] },
      },
    ];
    f.oauth2PermissionGrants = [
      ...(f.oauth2PermissionGrants ?? []),
      { clientId: cli, consentType: 'AllPrincipals', resourceId: GRAPH, scope: 'openid profile email offline_access User.Read' },
    ];
  });
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  work = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'mock-entra-device-code-'));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await mock?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const adeleUpn = (): string => `AdeleV@${tenant.domain}`;

/** The user, by the page's automation: the code, mock_login=auto and the account. */
async function approveByAutomation(userCode: string): Promise<string> {
  const url = `${mock.url}/common/oauth2/deviceauth?${new URLSearchParams({ otc: userCode, mock_login: 'auto', login_hint: adeleUpn() }).toString()}`;
  const r = await trustingFetch(mock.caPem)(url);
  return r.text();
}

/**
 * Runs a program that prints one JSON line when it has a user code, then one when it is done;
 * `onCode` plays the user in between. Returns the last line.
 */
async function runDeviceProgram(command: string, args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const child = spawn(command, args, { cwd: work, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const out: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((res) => child.on('close', res));
  for await (const line of lines) {
    if (!line.startsWith('{')) continue;
    const value = JSON.parse(line) as Record<string, unknown>;
    out.push(value);
    if (typeof value.userCode === 'string') {
      const page = await approveByAutomation(value.userCode);
      if (!page.includes('on your device')) throw new Error(`the page did not approve: ${page.slice(0, 300)}`);
    }
  }
  const code = await exited;
  if (code !== 0) throw new Error(`${command} exited ${code}: ${stderr}`);
  return out[out.length - 1]!;
}

describe('device code with real clients', () => {
  it('MSAL Node acquireTokenByDeviceCode: the user signs in on the device page in Chromium; tokens for that user', async () => {
    const app = new PublicClientApplication({
      auth: { clientId: cli, authority: `${mock.url}/${tenant.tenantId}`, knownAuthorities: [new URL(mock.url).host] },
      system: { networkClient: msalNetworkClient(trustingFetch(mock.caPem)) },
    });
    let shown: { userCode: string; verificationUri: string; message: string; expiresIn: number; interval: number } | undefined;
    let pageText = '';
    const signedIn = (async (): Promise<void> => {
      while (!shown) await new Promise((r) => setTimeout(r, 50));
      const context = await newBrowserContext(browser, { trust: { origin: mock.url, caPem: mock.caPem! } });
      try {
        const page = await context.newPage();
        await page.goto(shown.verificationUri);
        await page.fill('#otc', shown.userCode);
        await page.click('#idSIButton9');
        await page.click(`button[data-test-id="${adeleUpn()}"]`);
        await page.click('#idSIButton9');
        pageText = await page.locator('#device-signed-in').innerText();
      } finally {
        await context.close();
      }
    })();
    const result = await app.acquireTokenByDeviceCode({
      scopes: ['User.Read'],
      deviceCodeCallback: (r) => {
        shown = r;
      },
    });
    await signedIn;
    expect(shown!.verificationUri).toBe(`${mock.url}/common/oauth2/deviceauth`);
    expect(shown!.expiresIn).toBe(900);
    expect(shown!.interval).toBe(5);
    expect(shown!.message).toBe(
      `To sign in, use a web browser to open the page ${mock.url}/common/oauth2/deviceauth and enter the code ${shown!.userCode} to authenticate.`,
    );
    expect(pageText).toBe('You have signed in to Contoso CLI on your device. You may now close this window.');
    expect(result!.account?.username).toBe(adeleUpn());
    expect(decodeJwtPart(result!.accessToken, 1)).toMatchObject({ aud: GRAPH, appid: cli, oid: tenant.ids.adele, scp: 'email openid profile User.Read' });
    expect(decodeJwtPart(result!.idToken, 1)).toMatchObject({ aud: cli, oid: tenant.ids.adele, tid: tenant.tenantId });
    // The refresh token MSAL cached works silently.
    const silent = await app.acquireTokenSilent({ account: result!.account!, scopes: ['User.Read'], forceRefresh: true });
    expect(decodeJwtPart(silent.accessToken, 1).oid).toBe(tenant.ids.adele);
  }, 60_000);

  it('@azure/identity DeviceCodeCredential (authorityHost + disableInstanceDiscovery, NODE_EXTRA_CA_CERTS): a Graph token for the user', async () => {
    const file = join(work, 'device-code-credential.mjs');
    writeFileSync(
      file,
      `import { DeviceCodeCredential } from '@azure/identity';
const credential = new DeviceCodeCredential({
  tenantId: process.env.TENANT_ID,
  clientId: process.env.CLIENT_ID,
  authorityHost: process.env.AUTHORITY_HOST,
  disableInstanceDiscovery: true,
  userPromptCallback: (info) => console.log(JSON.stringify({ userCode: info.userCode, verificationUri: info.verificationUri, message: info.message })),
});
const { token } = await credential.getToken('https://graph.microsoft.com/User.Read');
console.log(JSON.stringify({ token }));
`,
    );
    const out = await runDeviceProgram(process.execPath, [file], {
      NODE_EXTRA_CA_CERTS: mock.caPath!,
      TENANT_ID: tenant.tenantId,
      CLIENT_ID: cli,
      AUTHORITY_HOST: mock.url,
    });
    // The scope named Graph by its URI, so the token's audience is that URI.
    expect(decodeJwtPart(String(out.token), 1)).toMatchObject({ aud: 'https://graph.microsoft.com', appid: cli, oid: tenant.ids.adele });
  }, 60_000);

  it.skipIf(!hasPythonMsal && process.env.CI !== 'true')(
    'MSAL for Python initiate_device_flow / acquire_token_by_device_flow (instance_discovery=False, verify=CA)',
    async () => {
      const file = join(work, 'device_flow.py');
      writeFileSync(
        file,
        `import json, os, sys, msal
app = msal.PublicClientApplication(
    os.environ["CLIENT_ID"],
    authority=os.environ["AUTHORITY"],
    instance_discovery=False,
    verify=os.environ["CA_FILE"],
)
flow = app.initiate_device_flow(scopes=["User.Read"])
print(json.dumps({"userCode": flow["user_code"], "verificationUri": flow["verification_uri"], "message": flow["message"], "expiresIn": flow["expires_in"]}), flush=True)
result = app.acquire_token_by_device_flow(flow)
print(json.dumps({"accessToken": result.get("access_token"), "error": result.get("error"), "username": (result.get("id_token_claims") or {}).get("preferred_username")}), flush=True)
`,
      );
      const out = await runDeviceProgram(PYTHON, [file], {
        CLIENT_ID: cli,
        AUTHORITY: `${mock.url}/${tenant.tenantId}`,
        CA_FILE: mock.caPath!,
        // requests lets these win over `verify` (the README's Python recipe): this machine's point elsewhere.
        REQUESTS_CA_BUNDLE: mock.caPath!,
        CURL_CA_BUNDLE: mock.caPath!,
      });
      expect(out.error).toBeNull();
      expect(out.username).toBe(adeleUpn());
      expect(decodeJwtPart(String(out.accessToken), 1)).toMatchObject({ aud: GRAPH, appid: cli, oid: tenant.ids.adele });
    },
    60_000,
  );
});
