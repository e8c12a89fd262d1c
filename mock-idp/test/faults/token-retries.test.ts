import { execFile as execFileCb } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type EntraFaultSpec, type RunningMockEntra } from '../../src/index.js';
import { cloneContoso, trustingFetch, type ClonedTenant } from '../support/real-clients.js';

/**
 * What the clients do when the token endpoint fails (Entra faults, runtime/entra-faults.ts):
 * MSAL Node's ConfidentialClientApplication (with its own HTTP client) and @azure/identity's
 * ClientSecretCredential (the README's recipe), each in a process of its own trusting the mock's
 * CA by NODE_EXTRA_CA_CERTS, asking for an app-only token while the mock throttles or fails. The
 * requests each made are counted in the mock's request log; the README's "Faults" section states
 * these counts. Retry-After is 1 s here (Entra sends 60), so that a client that waits for it
 * finishes within the test.
 */

const execFile = promisify(execFileCb);
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const API = CONTOSO.openMetadataUi.apiUri;

let mock: RunningMockEntra;
let work: string;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  work = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'mock-entra-retries-'));
});
afterAll(async () => {
  await mock?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh copy of Contoso with the fault set; its ingestion app asks for tokens. */
async function faultedTenant(spec: EntraFaultSpec): Promise<ClonedTenant> {
  const t = await cloneContoso(mock.control);
  await mock.control.setEntraFault(t.tenantId, spec);
  return t;
}

/** The statuses of the token requests the mock logged for the tenant, in order. */
async function tokenStatuses(t: ClonedTenant): Promise<number[]> {
  const log = await mock.control.requests(t.tenantId);
  return log.filter((e) => e.endpoint.startsWith('token')).map((e) => e.status);
}

/** Runs a module in a process of its own trusting the mock's CA (NODE_EXTRA_CA_CERTS, as the README says); returns its last JSON line. */
async function runModule(t: ClonedTenant, name: string, code: string): Promise<Record<string, unknown>> {
  const file = join(work, `${name}-${t.tenantId}.mjs`);
  writeFileSync(file, code);
  const { stdout } = await execFile(process.execPath, [file], {
    cwd: work,
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: mock.caPath!,
      TENANT_ID: t.tenantId,
      CLIENT_ID: t.ids.ingestion,
      CLIENT_SECRET: CONTOSO.ingestion.secret,
      AUTHORITY_HOST: mock.url,
      SCOPE: scopes(t)[0]!,
    },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** MSAL Node with its own HTTP client: two acquireTokenByClientCredential calls in a row (the second skips the cache). */
const msalTwice = (t: ClonedTenant): Promise<Record<string, unknown>> =>
  runModule(
    t,
    'msal-node',
    `import { ConfidentialClientApplication } from '@azure/msal-node';
const host = new URL(process.env.AUTHORITY_HOST).host;
const app = new ConfidentialClientApplication({ auth: { clientId: process.env.CLIENT_ID, clientSecret: process.env.CLIENT_SECRET, authority: process.env.AUTHORITY_HOST + '/' + process.env.TENANT_ID, knownAuthorities: [host] } });
const attempt = () => app.acquireTokenByClientCredential({ scopes: [process.env.SCOPE], skipCache: true }).then(() => 'ok', (e) => e.errorCode);
const first = await attempt();
const second = await attempt();
console.log(JSON.stringify({ first, second }));
`,
  );

/** @azure/identity's ClientSecretCredential (the README's recipe): one getToken. */
const identityGetToken = (t: ClonedTenant): Promise<Record<string, unknown>> =>
  runModule(
    t,
    'identity',
    `import { ClientSecretCredential } from '@azure/identity';
const credential = new ClientSecretCredential(process.env.TENANT_ID, process.env.CLIENT_ID, process.env.CLIENT_SECRET, { authorityHost: process.env.AUTHORITY_HOST, disableInstanceDiscovery: true });
const outcome = await credential.getToken(process.env.SCOPE).then(() => 'ok', (e) => e.name);
console.log(JSON.stringify({ outcome }));
`,
  );

const scopes = (t: ClonedTenant): string[] => [`${API.replace(CONTOSO.openMetadataUi.appId, t.ids.openMetadataUi)}/.default`];

describe('MSAL Node against a failing token endpoint', () => {
  it('429 (throttled): no retry; the plain-text body is a token_parsing_error, and the next call goes out at once', async () => {
    const t = await faultedTenant({ answer: 'throttled', grantType: 'client_credentials', retryAfterSeconds: 1, count: 1 });
    expect({ ...(await msalTwice(t)), statuses: await tokenStatuses(t) }).toEqual({ first: 'token_parsing_error', second: 'ok', statuses: [429, 200] });
  }, 60_000);

  it('503 (temporarily_unavailable): no retry; MSAL’s own throttling then answers the next call with the same error, without a request', async () => {
    const t = await faultedTenant({ answer: 'temporarily_unavailable', grantType: 'client_credentials', count: 1 });
    expect({ ...(await msalTwice(t)), statuses: await tokenStatuses(t) }).toEqual({ first: 'temporarily_unavailable', second: '90033', statuses: [503] });
  }, 60_000);
});

describe('MSAL Node in a user flow against the client-request-loop answer', () => {
  it('AADSTS50196 on a refresh: a ServerError invalid_grant (not InteractionRequiredAuthError: 50196 is not among MSAL’s interaction codes), no retry', async () => {
    const t = await cloneContoso(mock.control);
    const fetch = trustingFetch(mock.caPem!);
    const bridge = { appId: t.ids.bridge, secret: CONTOSO.bridge.secret, redirectUri: CONTOSO.bridge.redirectUri };
    const authorize = new URL(`${mock.url}/${t.tenantId}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: bridge.appId,
      response_type: 'code',
      redirect_uri: bridge.redirectUri,
      scope: 'openid offline_access User.Read',
      mock_login: 'auto',
      login_hint: `AdeleV@${t.domain}`,
    }))
      authorize.searchParams.set(k, v);
    const code = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const redeemed = await fetch(`${mock.url}/${t.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: bridge.appId,
        client_secret: bridge.secret,
        code,
        redirect_uri: bridge.redirectUri,
      }).toString(),
    });
    const refreshToken = ((await redeemed.json()) as { refresh_token: string }).refresh_token;
    await mock.control.setEntraFault(t.tenantId, { answer: 'request_loop', grantType: 'refresh_token' });
    await mock.control.clearRequests(t.tenantId);
    const out = await runModule(
      t,
      'msal-node-refresh',
      `import { ConfidentialClientApplication } from '@azure/msal-node';
const host = new URL(process.env.AUTHORITY_HOST).host;
const app = new ConfidentialClientApplication({ auth: { clientId: ${JSON.stringify(bridge.appId)}, clientSecret: ${JSON.stringify(bridge.secret)}, authority: process.env.AUTHORITY_HOST + '/' + process.env.TENANT_ID, knownAuthorities: [host] } });
const outcome = await app.acquireTokenByRefreshToken({ refreshToken: ${JSON.stringify(refreshToken)}, scopes: ['User.Read'] }).then(() => 'ok', (e) => e.name + ' ' + e.errorCode + ' ' + String(e.errorMessage).split(' - ')[0]);
console.log(JSON.stringify({ outcome }));
`,
    );
    expect({ ...out, statuses: await tokenStatuses(t) }).toEqual({ outcome: 'ServerError invalid_grant Error(s): 50196', statuses: [400] });
  }, 60_000);
});

describe('@azure/identity ClientSecretCredential against a failing token endpoint', () => {
  it('429 (throttled, Retry-After 1): waits Retry-After and retries; the token comes on the second request', async () => {
    const t = await faultedTenant({ answer: 'throttled', grantType: 'client_credentials', retryAfterSeconds: 1, count: 1 });
    expect({ ...(await identityGetToken(t)), statuses: await tokenStatuses(t) }).toEqual({ outcome: 'ok', statuses: [429, 200] });
  }, 60_000);

  it('503 (temporarily_unavailable) twice: retries with backoff; the token comes on the third request', async () => {
    const t = await faultedTenant({ answer: 'temporarily_unavailable', grantType: 'client_credentials', count: 2 });
    expect({ ...(await identityGetToken(t)), statuses: await tokenStatuses(t) }).toEqual({ outcome: 'ok', statuses: [503, 503, 200] });
  }, 60_000);
});
