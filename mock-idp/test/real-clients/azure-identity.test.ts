import { execFile as execFileCb } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { createSigningKey } from '../../src/keys/certificates.js';
import { cloneContoso, decodeJwtPart, type ClonedTenant } from '../support/real-clients.js';

/**
 * The README's recipes for @azure/identity (ClientSecretCredential, ClientCertificateCredential,
 * DefaultAzureCredential) and the two Microsoft Graph SDKs (@microsoft/microsoft-graph-client and
 * the Kiota-based @microsoft/msgraph-sdk), run as the README shows them: its code blocks, taken
 * from README.md, in a Node process of their own that trusts the mock's CA the way the recipe
 * says (NODE_EXTRA_CA_CERTS — the credentials take no CA option). Only the mock's origin, the
 * tenant and client (a copy of Contoso whose ingestion app has a certificate and Graph's
 * User.Read.All) and the certificate file are put in. And the settings are proved needed: without
 * disableInstanceDiscovery the credential fails with endpoints_resolution_error, without
 * customHosts the Graph client sends no token.
 *
 * The scripts live under node_modules/.cache so that their bare imports resolve to this
 * repository's packages, as they would in the reader's project.
 */
const execFile = promisify(execFileCb);
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const BLOCKS = [...README.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));
const GRAPH = '00000003-0000-0000-c000-000000000000';
const USER_READ_ALL_ROLE = 'df021288-bdef-4463-88db-98f22de89214';

/** The one README block containing `marker`. */
function readmeBlock(marker: string): string {
  const found = BLOCKS.filter((b) => b.body.includes(marker));
  if (found.length !== 1) throw new Error(`README: ${found.length} code blocks contain ${JSON.stringify(marker)}`);
  return found[0]!.body;
}

let mock: RunningMockEntra;
let tenant: ClonedTenant;
let work: string;
let keyAndCertFile: string;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  const key = await createSigningKey();
  tenant = await cloneContoso(mock.control, (f, ids) => {
    f.applications!.find((a) => a.appId === ids.ingestion)!.keyCredentials = [
      { keyId: randomUUID(), displayName: 'CN=ingestion-azure-identity', type: 'AsymmetricX509Cert', usage: 'Verify', key: key.certPem },
    ];
    f.appRoleAssignments = [
      ...(f.appRoleAssignments ?? []),
      { principalId: ids.ingestion, principalType: 'ServicePrincipal', resourceId: GRAPH, appRoleId: USER_READ_ALL_ROLE },
    ];
  });
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  work = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'mock-entra-recipes-'));
  keyAndCertFile = join(work, 'app-key-and-cert.pem');
  writeFileSync(keyAndCertFile, `${key.keyPem}${key.certPem}`);
});

afterAll(async () => {
  await mock?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs JavaScript as a module in its own Node process (imports first), trusting the mock's CA; returns what it printed as JSON. */
async function runScript(name: string, code: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const lines = code.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const file = join(work, `${name}.mjs`);
  writeFileSync(file, [...imports, ...lines.filter((l) => !l.startsWith('import '))].join('\n'));
  const { stdout } = await execFile(process.execPath, [file], {
    cwd: work,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: mock.caPath!, ...env },
    maxBuffer: 8 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** The README's @azure/identity block, with the mock's origin, the tenant, the client and the certificate file put in. */
function identityBlock(): string {
  const prelude = [
    `const tenantId = ${JSON.stringify(tenant.tenantId)};`,
    `const clientId = ${JSON.stringify(tenant.ids.ingestion)};`,
    `const clientSecret = ${JSON.stringify(CONTOSO.ingestion.secret)};`,
  ].join('\n');
  const block = readmeBlock("new ClientCertificateCredential(tenantId, clientId, { certificatePath: 'app-key-and-cert.pem' }, options)")
    .replaceAll('https://localhost:8443', mock.url)
    .replace("'app-key-and-cert.pem'", JSON.stringify(keyAndCertFile));
  return `${prelude}\n${block}`;
}

const claimsOf = (token: string) => {
  const c = decodeJwtPart(token, 1);
  return { aud: c.aud, tid: c.tid, appid: c.appid, roles: c.roles, idtyp: c.idtyp };
};

describe('@azure/identity, as the README configures it', () => {
  it('ClientSecretCredential and ClientCertificateCredential get app-only Graph tokens from the mock (authorityHost + disableInstanceDiscovery)', async () => {
    const out = await runScript(
      'identity',
      `${identityBlock()}
const fromCertificate = await certificate.getToken('https://graph.microsoft.com/.default');
console.log(JSON.stringify({ secret: token, certificate: fromCertificate.token }));`,
    );
    const expected = { aud: 'https://graph.microsoft.com', tid: tenant.tenantId, appid: tenant.ids.ingestion, roles: ['User.Read.All'], idtyp: 'app' };
    expect(claimsOf(out.secret as string)).toEqual(expected);
    expect(claimsOf(out.certificate as string)).toEqual(expected);
    expect(decodeJwtPart(out.certificate as string, 1).appidacr).toBe('2'); // a certificate, not a secret
    expect(decodeJwtPart(out.secret as string, 1).appidacr).toBe('1');
  }, 60_000);

  it('without disableInstanceDiscovery the credential gives up with endpoints_resolution_error (it asks login.microsoftonline.com about the mock)', async () => {
    const code = identityBlock().replace('disableInstanceDiscovery: true', 'disableInstanceDiscovery: false');
    const out = await runScript(
      'identity-discovery',
      code
        .replace(
          "const { token } = await secret.getToken('https://graph.microsoft.com/.default');",
          "const outcome = await secret.getToken('https://graph.microsoft.com/.default').then(() => 'token', (e) => `${e.name}: ${e.message}`);",
        )
        .concat('\nconsole.log(JSON.stringify({ outcome }));'),
    );
    expect(out.outcome).toBe(
      'CredentialUnavailableError: endpoints_resolution_error: See https://aka.ms/msal.js.errors#endpoints_resolution_error for details',
    );
  }, 60_000);

  it('DefaultAzureCredential: the environment of the README (AZURE_* and NODE_EXTRA_CA_CERTS) and disableInstanceDiscovery in code', async () => {
    const env: Record<string, string> = {};
    for (const line of readmeBlock('export AZURE_AUTHORITY_HOST=').trim().split('\n')) {
      const [, name, value] = /^export (\w+)=(.*)$/.exec(line)!;
      env[name!] = value!
        .replace(/^'(.*)'$/, '$1')
        .replace('https://localhost:8443', mock.url)
        .replace('~/.local/state/mock-entra/ca-cert.pem', mock.caPath!);
    }
    expect(Object.keys(env)).toEqual(['AZURE_AUTHORITY_HOST', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'NODE_EXTRA_CA_CERTS']);
    const code = readmeBlock('new DefaultAzureCredential({ disableInstanceDiscovery: true })');
    const out = await runScript('default-credential', `${code}\nconsole.log(JSON.stringify({ token: fromEnvironment }));`, env);
    expect(claimsOf(out.token as string)).toEqual({
      aud: 'https://graph.microsoft.com',
      tid: CONTOSO.tenantId,
      appid: CONTOSO.ingestion.appId,
      roles: undefined,
      idtyp: 'app',
    });
  }, 60_000);
});

describe('Microsoft Graph SDKs, as the README configures them', () => {
  it('@microsoft/microsoft-graph-client (baseUrl, customHosts) and @microsoft/msgraph-sdk (baseUrl, allowedHosts) list the tenant’s users', async () => {
    const graph = readmeBlock("customHosts: new Set(['localhost'])").replaceAll('https://localhost:8443', mock.url);
    const out = await runScript(
      'graph-sdks',
      `${identityBlock()}\n${graph}\nconsole.log(JSON.stringify({ users: users.value.map((u) => u.userPrincipalName), kiota: kiotaUsers.value.map((u) => u.userPrincipalName) }));`,
    );
    // Every user, each SDK once; in Graph's own order (by object id), which a cloned tenant's fresh ids reshuffle.
    const upns = tenant.fixture.users!.map((u) => u.userPrincipalName).sort();
    const { users, kiota } = out as { users: string[]; kiota: string[] };
    expect(kiota).toEqual(users);
    expect([...users].sort()).toEqual(upns);
  }, 60_000);

  it('without customHosts / allowedHosts the SDKs send no token, and the mock answers 401 "Access token is empty."', async () => {
    const graph = readmeBlock("customHosts: new Set(['localhost'])")
      .replaceAll('https://localhost:8443', mock.url)
      .replace("  customHosts: new Set(['localhost']),\n", '')
      .replace(", undefined, new Set(['localhost'])", '')
      .replace(
        "const users = await graphClient.api('/users').select('userPrincipalName').get();",
        "const users = await graphClient.api('/users').get().then(() => 'listed', (e) => `${e.statusCode} ${e.code}: ${e.message}`);",
      )
      .replace(
        'const kiotaUsers = await createGraphServiceClient(adapter).users.get();',
        "const kiotaUsers = await createGraphServiceClient(adapter).users.get().then(() => 'listed', (e) => e.message);",
      );
    const out = await runScript('graph-sdks-no-hosts', `${identityBlock()}\n${graph}\nconsole.log(JSON.stringify({ users, kiotaUsers }));`);
    expect(out.users).toBe('401 InvalidAuthenticationToken: Access token is empty.');
    // Kiota's auth provider, too, leaves the Authorization header off for hosts it does not know.
    expect(out.kiotaUsers).toBe('Access token is empty.');
  }, 60_000);
});
