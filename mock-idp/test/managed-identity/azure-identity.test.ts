import { execFile as execFileCb } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { decodeJwtPart, trustingFetch } from '../support/real-clients.js';
import { MI } from './mi-tenant.js';

/**
 * @azure/identity's ManagedIdentityCredential and DefaultAzureCredential (MSAL Node inside),
 * unmodified and configured by environment variables only, against both managed-identity
 * endpoints — as the README's Managed identity section shows them: its fixture (the mock starts
 * with it), its `export` lines (App Service; IMDS through AZURE_POD_IDENTITY_AUTHORITY_HOST) and
 * its code, run in a Node process of its own whose environment is those lines and PATH alone.
 * The scripts live under node_modules/.cache so that `@azure/identity` resolves to this
 * repository's package.
 */
const execFile = promisify(execFileCb);
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const BLOCKS = [...README.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => m[2]!);
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

function readmeBlock(marker: string): string {
  const found = BLOCKS.filter((b) => b.includes(marker));
  if (found.length !== 1) throw new Error(`README: ${found.length} code blocks contain ${JSON.stringify(marker)}`);
  return found[0]!;
}

let mock: RunningMockEntra;
let work: string;

beforeAll(async () => {
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  work = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'mock-entra-mi-'));
  const fixture = join(work, 'managed-identities.yaml');
  writeFileSync(fixture, readmeBlock('servicePrincipalType: ManagedIdentity'));
  mock = await startMockEntra({ port: 0, fixtures: [fixture] });
});

afterAll(async () => {
  await mock?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A README `export` block as an environment, the mock's origin and CA file put in. */
function exportsOf(marker: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readmeBlock(marker).trim().split('\n')) {
    const [, name, value] = /^export (\w+)=(\S*)/.exec(line)!;
    env[name!] = value!.replace('https://localhost:8443', mock.url).replace('~/.local/state/mock-entra/ca-cert.pem', mock.caPath!);
  }
  return env;
}

/** The README's code, then `extra`, in a process whose environment is `env` and PATH only; its last line as JSON. */
async function run(name: string, env: Record<string, string>, extra: string): Promise<Record<string, unknown>> {
  const file = join(work, `${name}.mjs`);
  writeFileSync(file, `${readmeBlock('new ManagedIdentityCredential(')}\n${extra}\n`);
  const { stdout } = await execFile(process.execPath, [file], { cwd: work, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

const ALL_THREE = `
const tokens = {};
for (const [name, credential] of Object.entries({ system, user, viaDefault })) {
  tokens[name] = await credential.getToken('${GRAPH_SCOPE}').then((t) => t.token, (e) => \`\${e.name}: \${e.message}\`);
}
console.log(JSON.stringify(tokens));`;

const identityOf = (token: unknown) => {
  const c = decodeJwtPart(String(token), 1);
  return { aud: c.aud, oid: c.oid, appid: c.appid, idtyp: c.idtyp, roles: c.roles, xms_mirid: c.xms_mirid, tid: c.tid };
};
const TENANT = '8bfd947c-c312-4845-9b33-df79185f9499';
const SYSTEM = {
  aud: 'https://graph.microsoft.com',
  oid: MI.system.objectId,
  appid: MI.system.clientId,
  idtyp: 'app',
  roles: undefined,
  xms_mirid: MI.system.resourceId,
  tid: TENANT,
};
const USER = {
  aud: 'https://graph.microsoft.com',
  oid: MI.user.objectId,
  appid: MI.user.clientId,
  idtyp: 'app',
  roles: ['User.Read.All'],
  xms_mirid: MI.user.resourceId,
  tid: TENANT,
};

describe.each([
  ['App Service (IDENTITY_ENDPOINT + IDENTITY_HEADER)', 'export IDENTITY_ENDPOINT=', 'app-service'],
  ['IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST)', 'export AZURE_POD_IDENTITY_AUTHORITY_HOST=', 'imds'],
])('@azure/identity through %s', (_name, marker, slug) => {
  it('ManagedIdentityCredential gets the system-assigned and the user-assigned identity their tokens; DefaultAzureCredential the system-assigned one', async () => {
    const out = await run(`${slug}-all`, exportsOf(marker), ALL_THREE);
    expect(identityOf(out.system)).toEqual(SYSTEM);
    expect(identityOf(out.user)).toEqual(USER);
    expect(identityOf(out.viaDefault)).toEqual(SYSTEM);
  }, 60_000);

  it('DefaultAzureCredential with AZURE_CLIENT_ID uses that user-assigned identity, whose token Microsoft Graph honours', async () => {
    const out = await run(`${slug}-client-id`, { ...exportsOf(marker), AZURE_CLIENT_ID: MI.user.clientId }, ALL_THREE);
    expect(identityOf(out.viaDefault)).toEqual(USER);
    const users = await trustingFetch(mock.caPem!)(`${mock.url}/v1.0/users?$select=userPrincipalName`, {
      headers: { authorization: `Bearer ${String(out.viaDefault)}` },
    });
    expect(users.status).toBe(200);
    expect(((await users.json()) as { value: unknown[] }).value).toHaveLength(3);
  }, 60_000);

  it('surfaces an identity the mock does not have as the endpoint words it', async () => {
    const out = await run(
      `${slug}-unknown`,
      exportsOf(marker),
      `const stranger = new ManagedIdentityCredential({ clientId: '00000000-1111-2222-3333-444444444444' });
const outcome = await stranger.getToken('${GRAPH_SCOPE}').then(() => 'token', (e) => \`\${e.name}: \${e.message}\`);
console.log(JSON.stringify({ outcome }));`,
    );
    // CredentialUnavailableError: DefaultAzureCredential would go on to the next credential.
    expect(String(out.outcome)).toMatch(
      slug === 'imds'
        ? /^CredentialUnavailableError: ManagedIdentityCredential: Authentication failed\. Message invalid_request: .* - Description: Identity not found - /
        : /^CredentialUnavailableError: ManagedIdentityCredential: Authentication failed\. Message : .* - Description: Unable to load the proper Managed Identity\. - Correlation ID: [0-9a-f-]{36} - /,
    );
  }, 60_000);
});

describe('@azure/identity against a mock started with --http (plain HTTP, as Azure serves these endpoints)', () => {
  let plain: RunningMockEntra;
  beforeAll(async () => {
    plain = await startMockEntra({ port: 0, tls: false, fixtures: [join(work, 'managed-identities.yaml')] });
  });
  afterAll(() => plain?.close());

  it('needs no CA: App Service and IMDS endpoints over http://', async () => {
    expect(plain.url).toMatch(/^http:\/\//);
    const appService = await run('http-app-service', { IDENTITY_ENDPOINT: `${plain.url}/${TENANT}/msi/token`, IDENTITY_HEADER: 'any-value' }, ALL_THREE);
    expect(identityOf(appService.user)).toEqual(USER);
    const imds = await run('http-imds', { AZURE_POD_IDENTITY_AUTHORITY_HOST: `${plain.url}/${TENANT}` }, ALL_THREE);
    expect(identityOf(imds.system)).toEqual(SYSTEM);
  }, 60_000);
});
