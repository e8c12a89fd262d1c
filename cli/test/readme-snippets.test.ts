import { execFile as execFileCb, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startBanner, startMockEntra, type RunningMockEntra, type TenantFixture } from '../../mock-idp/src/index.js';
import { checkedFixture, loadFixtureFile } from '../../mock-idp/src/fixtures.js';
import { freePort } from '../../mock-idp/test/support/free-port.js';

/**
 * Every code block of the README is run here, as a reader would run it, or — for the few that
 * another test runs already, or that only show output — named below with the test that covers
 * it; a block that is neither fails this file. A snippet that drifts from the code it shows
 * therefore turns a test red.
 *
 * TypeScript snippets run as modules: `mock-entra` and `mock-entra/testing` resolve to this
 * repository's entries, other packages to its node_modules, and the few names a snippet takes
 * from its context (a control client, a tenant, a CA) are defined in front of it. Shell snippets
 * run in bash line by line against a mock the CLI started, with `npx mock-entra` as this
 * repository's CLI; the port (8443) and the CA path are the only words replaced.
 */
const execFile = promisify(execFileCb);
const ROOT = resolve(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Block {
  lang: string;
  body: string;
}
const BLOCKS: Block[] = [...README.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));

/** The one block whose text contains `marker` (a snippet is found by what it says, not by its position). */
function block(marker: string): Block {
  const found = BLOCKS.filter((b) => b.body.includes(marker));
  if (found.length !== 1) throw new Error(`README: ${found.length} code blocks contain ${JSON.stringify(marker)}`);
  return found[0]!;
}

/** Blocks another test runs, or that show output only: the marker, and who covers it. */
const COVERED_ELSEWHERE: Array<[string, string]> = [
  [
    'npm ci && npm start',
    'the CI run itself: .ci/run runs `npm ci` and `npm test`; `npm start` is cli/test/serve.test.ts; `docker compose up -d` is mock-idp/test/containers/compose.test.ts',
  ],
  ['Contoso at scale', 'mock-idp/test/docs/readme.test.ts (the YAML equals directory/generate-spec.ts) and mock-idp/test/scale/'],
  ['mock-entra fixtures generate --extends contoso', 'cli/test/fixtures-generate.test.ts (the same options, a smaller tenant)'],
  ['npx mock-entra scenarios list', 'harness/test/scenarios-cli.test.ts (list, filters, run) and cli/test/packed.test.ts (run)'],
  ['Scenario secrets/expired-secret failed', 'harness/test/harness.test.ts (the failure explanation, line by line)'],
  ['npm install --save-dev mock-entra', 'cli/test/packed.test.ts (the same install, from the packed tarball)'],
  ['photo: { contentType: image/png', 'mock-idp/test/graph/photos.test.ts (a real PNG in that shape; the README elides its bytes)'],
  ['"url": "/groups/27f0b0c2-bb9f-4e15-a4e8-def40a27af77/members?$top=999"', "mock-idp/test/graph/batch.test.ts (posts the README's batch as written)"],
  [
    'pca.acquireTokenByUsernamePassword(',
    'mock-idp/test/ropc/ropc-real-clients.test.ts (the same PublicClientApplication call against a tenant where Megan has that password; its CA through system.networkClient)',
  ],
  [
    'permissionGrantPoliciesAssigned: []',
    'mock-idp/test/cross-tenant/tenants.ts + cross-tenant.test.ts (the same fields, loaded through POST /_mock/tenants: Northwind forbids user consent, an administrator grants admin consent)',
  ],
  ['# my-app.target.yaml', 'harness/test/conform-target-file.test.ts (validated against fixtures/target.schema.json as written)'],
  [
    'npx mock-entra conform examples/targets/bridge/target.yaml',
    'harness/test/conform-run.test.ts (the bridge as a managed target: these verdicts, lines and reports) and cli/test/packed.test.ts (from the installed package)',
  ],
  // Run in a container / in CI (they need Docker: the container tests run them, or skip with "skipped: no Docker").
  ['docker build -t mock-entra:0.1.0 .', 'mock-idp/test/containers/readme-container.test.ts (runs it; port and names made unique)'],
  ["from 'mock-entra/testcontainers'", 'mock-idp/test/containers/readme-container.test.ts (runs it against the image)'],
  [
    'docker build -f Dockerfile.harness -t mock-entra-harness:0.1.0 .',
    'mock-idp/test/containers/harness-image.test.ts (the same docker run, against Apache + mod_auth_openidc on the host; its port and paths)',
  ],
  [
    'docker compose up -d                                   #',
    'mock-idp/test/containers/compose.test.ts (up, CA from /_mock/ca.pem, the logged credential, the ingestion line, the expired-secret run, down -v)',
  ],
  [
    'docker compose run --rm conform --control-token',
    'mock-idp/test/containers/compose.test.ts (the same run on free ports: the summary line, the verdicts = the matrix, the reports)',
  ],
  [
    'new FixedHostPortGenericContainer',
    'not run: no Java here; the same image, variables, port and log line as mock-idp/test/containers/image.test.ts and testcontainers.test.ts',
  ],
  ['new ContainerBuilder()', 'not run: no .NET here; the same image, variables, port and log line as mock-idp/test/containers/testcontainers.test.ts'],
  ['from testcontainers.core.container import DockerContainer', 'not run: testcontainers-python is not installed here; as the Java block'],
  ['testcontainers.GenericContainerRequest', 'not run: no Go here; as the Java block'],
  [
    '# .github/workflows/test.yml',
    'not run: GitHub Actions; the service as mock-idp/test/containers/image.test.ts runs it (variables, port, HEALTHCHECK, /_mock/ca.pem)',
  ],
  ['# .gitlab-ci.yml', "not run: GitLab CI; the public URL by service name as mock-idp/test/containers/compose.test.ts (and the mock's MOCK_ENTRA_TLS_HOSTS)"],
  // Pointing real clients at the mock: the recipes run from the README's own text there.
  ["certificatePath: 'app-key-and-cert.pem'", 'mock-idp/test/real-clients/azure-identity.test.ts (both credentials, and without disableInstanceDiscovery)'],
  ['export AZURE_AUTHORITY_HOST=', 'mock-idp/test/real-clients/azure-identity.test.ts (the environment of DefaultAzureCredential)'],
  ['new DefaultAzureCredential({ disableInstanceDiscovery: true })', 'mock-idp/test/real-clients/azure-identity.test.ts'],
  ["customHosts: new Set(['localhost'])", 'mock-idp/test/real-clients/azure-identity.test.ts (both Graph SDKs, and without the hosts)'],
  ['msal.ConfidentialClientApplication(', 'mock-idp/test/real-clients/python-msal.test.ts (python3-msal; verify, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE)'],
  ['.instanceDiscovery(false)', 'not run: no JVM on the test machines (MSAL4J, as its documentation configures an authority; the README says so)'],
  [
    '.WithInstanceDiscovery(false)',
    'not run: no .NET runtime on the test machines (MSAL.NET, as its documentation configures an authority; the README says so)',
  ],
  ['scenarios run --shard 1/4', 'cli/test/scenarios-shard.test.ts (lists and runs disjoint halves)'],
  // Unmodified apps: the preload (issue 15).
  [
    'export NODE_OPTIONS="--import mock-entra/impersonate"',
    'mock-idp/test/impersonation/preload.test.ts (these variables, with MSAL Node and @azure/identity in the child; the preload from source through tsx)',
  ],
  // Unmodified apps: the HTTPS proxy and the containers' route (issue 15).
  [
    'npx mock-entra serve --proxy-port 3128',
    'mock-idp/test/proxy/serve-proxy.test.ts (serve --proxy-port: its banner lines, then this curl with --proxy and --cacert, the exact issuer)',
  ],
  [
    'authority="https://login.microsoftonline.com/',
    'mock-idp/test/proxy/through-proxy.test.ts (runs this block as it stands with HTTPS_PROXY and REQUESTS_CA_BUNDLE; python3-msal)',
  ],
  [
    'docker compose -f examples/compose-impersonate/docker-compose.yml up -d mock-entra',
    "mock-idp/test/proxy/compose-impersonate.test.ts (up, the client's JSON line as shown, MSAL Node in the same network, down -v)",
  ],
  [
    'image: my-app',
    "not run: a service of your own; the compose file's client service has these keys and mock-idp/test/proxy/compose-impersonate.test.ts runs it",
  ],
  [
    'api.acquireTokenOnBehalfOf({ oboAssertion: userToken',
    "mock-idp/test/on-behalf-of/msal-node-obo.test.ts (this call with a web app's MSAL sign-in as the user token, the cache, InteractionRequiredAuthError for AADSTS65001)",
  ],
  ['servicePrincipalType: ManagedIdentity', 'mock-idp/test/managed-identity/azure-identity.test.ts (the mock starts with this fixture as written)'],
  ['export IDENTITY_ENDPOINT=', 'mock-idp/test/managed-identity/azure-identity.test.ts (these lines, the only environment of the process)'],
  ['export AZURE_POD_IDENTITY_AUTHORITY_HOST=', 'mock-idp/test/managed-identity/azure-identity.test.ts (these lines, the only environment of the process)'],
  ['new ManagedIdentityCredential(', 'mock-idp/test/managed-identity/azure-identity.test.ts (runs this block as written, with both environments)'],
];

let mock: RunningMockEntra;
let work: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mock-entra-readme-'));
  mock = await startMockEntra({ port: 0, tls: true });
});
afterAll(async () => {
  await mock?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Writes a TypeScript snippet as a module and imports it; the prelude defines what it takes from its context. */
async function runModule(name: string, code: string, prelude = ''): Promise<Record<string, unknown>> {
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of code.split('\n')) (line.startsWith('import ') ? imports : body).push(line);
  const resolved = imports.map((l) =>
    l.replace(/from '([^']+)'/, (_m, spec: string) => {
      if (spec === 'mock-entra') return `from ${JSON.stringify(pathToFileURL(join(ROOT, 'mock-idp/src/index.ts')).href)}`;
      if (spec === 'mock-entra/testing') return `from ${JSON.stringify(pathToFileURL(join(ROOT, 'mock-idp/src/testing.ts')).href)}`;
      return `from ${JSON.stringify(import.meta.resolve(spec))}`;
    }),
  );
  const file = join(work, `${name}.ts`);
  writeFileSync(file, [...resolved, prelude, ...body].join('\n'));
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
}

const CONTEXT = `import { MockEntraControl as __Control } from ${JSON.stringify(pathToFileURL(join(ROOT, 'mock-idp/src/index.ts')).href)};
const __ctx = globalThis.__readmeContext;
`;

describe('README code blocks', () => {
  it('every block is run here or covered by a named test', () => {
    const here = [
      'curl --cacert',
      'mock-entra is serving',
      '$schema: ./schema.json',
      'control.setGraphFault(',
      'control.setEntraFault(',
      "new MockEntraControl('https://localhost:8443'",
      'control.addMutation(',
      '// HTTPS on a free port, default tenant',
      'client.discovery(',
      "import { ConfidentialClientApplication } from '@azure/msal-node'",
      'npx mock-entra serve --port 8443 &',
      '// scenarios/secrets/expired-secret.scenario.ts —',
      'mock-idp/src/      the mock (Fastify)',
      'const undo = impersonateMicrosoft(mock);',
    ];
    const markers = [...here, ...COVERED_ELSEWHERE.map(([m]) => m)];
    for (const m of markers) block(m); // each marker names exactly one block
    const orphans = BLOCKS.filter((b) => !markers.some((m) => b.body.includes(m))).map((b) => b.body.split('\n')[0]);
    expect(orphans, 'README blocks no test runs: run them in cli/test/readme-snippets.test.ts').toEqual([]);
  });

  it('Quick start: the banner `npm start` prints', () => {
    const shown = block('mock-entra is serving').body;
    const expected = startBanner({
      url: 'https://localhost:8443',
      caPath: '/root/.local/state/mock-entra/ca-cert.pem',
      tenants: mock.tenants.map((t) => ({
        ...t,
        authority: t.authority.replace(mock.url, 'https://localhost:8443'),
        discoveryUrl: t.discoveryUrl.replace(mock.url, 'https://localhost:8443'),
      })),
    });
    expect(`${shown.trim()}\n`).toBe(`${expected.trim()}\n`);
  });

  it('Quick start: the curl calls (discovery, then a client-credentials token)', async () => {
    const script = block('curl --cacert').body.replaceAll('https://localhost:8443', mock.url).replace('~/.local/state/mock-entra/ca-cert.pem', mock.caPath!);
    const lines = script.replace(/\\\n/g, ' ').split('\n').filter(Boolean);
    const outputs: string[] = [];
    for (const line of lines.slice(1)) {
      const { stdout } = await execFile('bash', ['-c', `${lines[0]}\n${line}`]);
      outputs.push(stdout);
    }
    const discovery = JSON.parse(outputs[0]!) as { issuer: string };
    expect(discovery.issuer).toBe(`${mock.url}/${CONTOSO.tenantId}/v2.0`);
    const token = JSON.parse(outputs[1]!) as { token_type: string; access_token: string };
    expect(token.token_type).toBe('Bearer');
    expect(token.access_token.split('.')).toHaveLength(3);
  });

  it('Fixtures: every YAML fixture of the README (a yaml block with `tenants:`) loads and validates, as written', async () => {
    // No placeholder stands in for anything: a reader who copies one gets a fixture that starts.
    const fixtures = BLOCKS.filter((b) => b.lang === 'yaml' && /^tenants:/m.test(b.body));
    expect(
      fixtures.map((b) =>
        b.body
          .split('\n')
          .find((l) => l.includes('displayName'))
          ?.trim(),
      ),
    ).toEqual(['displayName: todo-web', 'displayName: Acme', 'displayName: Contoso at scale']);
    for (const [i, { body }] of fixtures.entries()) {
      expect(body).not.toContain('…');
      const file = join(work, `readme-fixture-${i}.yaml`);
      writeFileSync(file, body.replace('$schema: ./schema.json', `$schema: ${join(ROOT, 'fixtures', 'schema.json')}`));
      const doc = await loadFixtureFile(file);
      expect(() => checkedFixture(doc, file)).not.toThrow();
    }
    const acme = await loadFixtureFile(join(work, 'readme-fixture-1.yaml'));
    expect(acme.tenants[0]!.applications![0]!.keyCredentials![0]!.key).toBe(
      readFileSync(join(ROOT, 'mock-idp', 'test', 'fixtures', 'data', 'test-cert.pem'), 'utf8'),
    );
  }, 60_000);

  it('Unmodified apps: the in-process route, as written (MSAL Node on https://login.microsoftonline.com)', async () => {
    const mod = await runModule('impersonate', `${block('const undo = impersonateMicrosoft(mock);').body}\nexport { result };`);
    const token = (mod.result as { accessToken: string }).accessToken;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string; appid: string };
    expect(claims).toMatchObject({ iss: `https://sts.windows.net/${CONTOSO.tenantId}/`, appid: CONTOSO.bridge.appId });
  });

  it('Test-control API: the MockEntraControl example', async () => {
    const tenant = await copyOfContoso('readme-control');
    (globalThis as Record<string, unknown>).__readmeContext = { caPem: mock.caPem, myTenantFixture: tenant };
    const code = block("new MockEntraControl('https://localhost:8443'").body.replace('https://localhost:8443', mock.url);
    const mod = await runModule('control', `${code}\nexport { t, log };`, 'const { caPem, myTenantFixture } = globalThis.__readmeContext;');
    expect((mod.t as { id: string }).id).toBe(tenant.id);
    expect(Array.isArray(mod.log)).toBe(true);
    const fixture = (await mock.control.getTenant(tenant.id)) as { fixture: { applications: Array<{ passwordCredentials?: Array<{ endDateTime: string }> }> } };
    expect(fixture.fixture.applications[0]!.passwordCredentials![0]!.endDateTime).toBe('2025-06-01T00:00:00Z');
    await mock.control.deleteTenant(tenant.id);
  });

  it('Graph faults: the control calls', async () => {
    const tenant = await copyOfContoso('readme-faults');
    await mock.control.createTenant(tenant);
    (globalThis as Record<string, unknown>).__readmeContext = { url: mock.url, caPem: mock.caPem, tenantId: tenant.id };
    const code = block('control.setGraphFault(').body;
    await runModule('faults', code, `${CONTEXT}const control = new __Control(__ctx.url, { ca: __ctx.caPem });\nconst tenantId = __ctx.tenantId;`);
    expect(await mock.control.listGraphFaults(tenant.id)).toEqual([]); // the snippet ends by clearing them
    await mock.control.deleteTenant(tenant.id);
  });

  it('Entra faults: the control calls', async () => {
    const tenant = await copyOfContoso('readme-entra-faults');
    await mock.control.createTenant(tenant);
    (globalThis as Record<string, unknown>).__readmeContext = { url: mock.url, caPem: mock.caPem, tenantId: tenant.id };
    const code = block('control.setEntraFault(').body;
    await runModule('entra-faults', code, `${CONTEXT}const control = new __Control(__ctx.url, { ca: __ctx.caPem });\nconst tenantId = __ctx.tenantId;`);
    expect(await mock.control.listEntraFaults(tenant.id)).toEqual([]); // the snippet ends by clearing them
    await mock.control.deleteTenant(tenant.id);
  });

  it('Broken on purpose: the addMutation calls queue what they say', async () => {
    const tenant = await copyOfContoso('readme-mutations');
    const created = await mock.control.createTenant(tenant);
    (globalThis as Record<string, unknown>).__readmeContext = { url: mock.url, caPem: mock.caPem, t: created, apiClientId: CONTOSO.openMetadataUi.appId };
    const code = block('control.addMutation(').body;
    const mod = await runModule(
      'mutations',
      `${code}\nexport { log };`,
      `${CONTEXT}const control = new __Control(__ctx.url, { ca: __ctx.caPem });\nconst { t, apiClientId } = __ctx;`,
    );
    expect(Array.isArray(mod.log)).toBe(true);
    const queued = await mock.control.listMutations(created.id);
    expect(queued.map((q) => [q.target, q.kind, q.remaining])).toEqual([
      ['id_token', 'iss-near-miss', 1],
      ['access_token', 'aud-array', 3],
      ['jwks', 'server-error', 2],
    ]);
    await mock.control.deleteTenant(created.id);
  });

  it('Pointing real clients at the mock: startMockEntra then openid-client, in order; the MSAL Node block as it stands, alone', async () => {
    const start = block('// HTTPS on a free port, default tenant').body.replace('await mock.close();\n', '');
    const openid = block('client.discovery(').body;
    const mod = await runModule('clients', `${start}\n${openid}\nawait mock.close();\nexport { tokens };`);
    expect((mod.tokens as { token_type: string }).token_type).toBe('bearer');
    // Copied on its own, the MSAL Node block must run (issue 14: it once needed the block above for msalNetworkClient).
    const msal = block("import { ConfidentialClientApplication } from '@azure/msal-node'").body;
    const alone = await runModule('msal-node', `${msal}\nexport { result };`);
    expect((alone.result as { accessToken: string }).accessToken.split('.')).toHaveLength(3);
  });

  it('Against a mock started elsewhere: serve, ca, scenarios run --idp-url (one scenario)', async () => {
    const port = await freePort();
    const lines = block('npx mock-entra serve --port 8443 &')
      .body.replaceAll('8443', String(port))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/\s+#.*$/, '').trim());
    const cli = `npx() { if [ "$1" = mock-entra ]; then shift; node --import ${JSON.stringify(import.meta.resolve('tsx'))} ${JSON.stringify(join(ROOT, 'cli', 'main.ts'))} "$@"; else command npx "$@"; fi; }`;
    let server: ChildProcess | undefined;
    try {
      // Line 1 starts the mock in the background; a person waits for its banner before typing on.
      server = spawn('bash', ['-c', `${cli}\n${lines[0]!.replace(/&$/, '')}`], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let banner = '';
      server.stdout!.on('data', (d: Buffer) => (banner += d.toString()));
      server.stderr!.on('data', (d: Buffer) => (banner += d.toString()));
      const end = Date.now() + 30_000;
      while (!banner.includes('Test-control API') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(banner).toContain(`mock-entra is serving https://localhost:${port}`);
      await execFile('bash', ['-c', `${cli}\n${lines[1]}`], { cwd: work });
      expect(readFileSync(join(work, 'mock-ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
      // The whole catalog runs in cli/test/packed.test.ts and in the harness's own test; here one
      // scenario proves the attached run (`rp-login`, a filter the same command takes).
      const { stdout, stderr } = await execFile('bash', ['-c', `${cli}\n${lines[2]} sso/rp-login --reporter console --out reports`], {
        cwd: work,
        maxBuffer: 8 * 1024 * 1024,
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      });
      expect(stdout + stderr).toMatch(/Tests\s+1 passed \(1\)/);
    } finally {
      if (server?.pid) process.kill(-server.pid, 'SIGTERM');
    }
  }, 120_000);

  it('Writing a scenario: the example is the shipped scenario file', () => {
    const shown = block('// scenarios/secrets/expired-secret.scenario.ts —').body;
    const file = readFileSync(join(ROOT, 'scenarios', 'secrets', 'expired-secret.scenario.ts'), 'utf8');
    expect(shown.split('\n').slice(1).join('\n')).toBe(file);
  });

  it('Development: every folder of the map exists', () => {
    const map = block('mock-idp/src/      the mock (Fastify)').body;
    const stack: Array<{ indent: number; path: string }> = [];
    let checked = 0;
    for (const line of map.split('\n')) {
      const m = /^(\s*)(\S+\/)(?:\s|$)/.exec(line);
      if (!m) continue;
      const indent = m[1]!.length;
      while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
      const path = join(stack[stack.length - 1]?.path ?? '', m[2]!);
      stack.push({ indent, path });
      expect(existsSync(join(ROOT, path)), path).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });
});

async function copyOfContoso(label: string): Promise<TenantFixture> {
  const doc = await loadFixtureFile(join(ROOT, 'fixtures', 'contoso.yaml'));
  const id = crypto.randomUUID();
  const domain = `${label}-${id.slice(0, 6)}.onmicrosoft.com`;
  const text = JSON.stringify(doc.tenants[0]).replaceAll(CONTOSO.domain, domain).replaceAll(CONTOSO.tenantId, id);
  return JSON.parse(text) as TenantFixture;
}
