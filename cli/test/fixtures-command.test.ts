import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FIXTURES_USAGE, runFixturesCommand } from '../fixtures-command.js';
import { DEFAULT_FIXTURE_PATH } from '../../mock-idp/src/directory/load-fixture.js';
import { importManifest } from '../../mock-idp/src/directory/import-manifest.js';
import type { FixtureDocument } from '../../mock-idp/src/directory/model.js';
import { validateFixture } from '../../mock-idp/src/directory/validate-fixture.js';

const testData = (path: string): string => fileURLToPath(new URL(`../../mock-idp/test/fixtures/${path}`, import.meta.url));
const LEGACY_MANIFEST = testData('manifests/legacy-pingone.json');
const GRAPH_MANIFEST = testData('manifests/graph-openmetadata-spa.json');
const BROKEN_YAML = testData('data/broken-syntax.yaml');

/** Runs the command with captured output. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runFixturesCommand(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'mock-entra-cli-'));

describe('mock-entra fixtures validate', () => {
  it('prints ok with counts for a valid fixture', async () => {
    expect(await run('validate', DEFAULT_FIXTURE_PATH)).toEqual({
      code: 0,
      stdout: `${DEFAULT_FIXTURE_PATH}: ok (1 tenant, 3 apps, 3 users, 3 groups)\n`,
      stderr: '',
    });
  });

  it('prints every issue of every file and exits 1', async () => {
    const dir = tempDir();
    const broken = join(dir, 'broken.json');
    const doc = parseYaml(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as FixtureDocument;
    doc.tenants[0]!.applications![0]!.web!.redirectUris = ['http://bridge.contoso.com/callback'];
    doc.tenants[0]!.oauth2PermissionGrants![0]!.scope = 'User.Read Mail.Send';
    writeFileSync(broken, JSON.stringify(doc));
    expect(await run('validate', broken, DEFAULT_FIXTURE_PATH, BROKEN_YAML)).toEqual({
      code: 1,
      stdout: [
        `${broken}: tenants[0].applications[0].web.redirectUris[0]: must use https unless the host is localhost`,
        `${broken}: tenants[0].oauth2PermissionGrants[0].scope: Mail.Send is not a delegated permission of Microsoft Graph`,
        `${DEFAULT_FIXTURE_PATH}: ok (1 tenant, 3 apps, 3 users, 3 groups)`,
        `${BROKEN_YAML}: (root): cannot parse: Nested mappings are not allowed in compact mappings at line 5, column 22:`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('names a file it cannot read', async () => {
    const missing = join(tempDir(), 'missing.yaml');
    expect(await run('validate', missing)).toEqual({ code: 1, stdout: `${missing}: (root): cannot read: ENOENT\n`, stderr: '' });
  });

  it('checks files that are valid alone for clashes when served together', async () => {
    const copy = join(tempDir(), 'contoso-again.yaml');
    writeFileSync(copy, readFileSync(DEFAULT_FIXTURE_PATH));
    const result = await run('validate', DEFAULT_FIXTURE_PATH, copy);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      `${DEFAULT_FIXTURE_PATH}: ok (1 tenant, 3 apps, 3 users, 3 groups)`,
      `${copy}: ok (1 tenant, 3 apps, 3 users, 3 groups)`,
      '(all fixtures): tenants[1].id: tenant 8bfd947c-c312-4845-9b33-df79185f9499 is defined twice',
      '',
    ]);
  });

  it('needs at least one file', async () => {
    const result = await run('validate');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`mock-entra fixtures validate: name at least one fixture file\n\n${FIXTURES_USAGE}`);
  });
});

describe('mock-entra fixtures import', () => {
  it('writes the fixture as YAML to stdout and the notes to stderr', async () => {
    const result = await run('import', LEGACY_MANIFEST);
    expect(result.code).toBe(0);
    expect(parseYaml(result.stdout)).toEqual(importManifest(JSON.parse(readFileSync(LEGACY_MANIFEST, 'utf8'))).fixture);
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      '# Imported by `mock-entra fixtures import` from legacy-pingone.json.',
      '# Client secrets are generated placeholders: manifests never contain secret values.',
      '',
      'tenants:',
      '  - id: e91886a8-83fb-5c54-8ce9-d2cf63a451de',
    ]);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('note: '))).toEqual([
      'note: read as a legacy (Azure AD Graph) manifest',
      'note: passwordCredentials: manifests never show secret values, so each secret got a generated value (same keyId, same value; dates kept, so an expired secret stays expired):',
      'note: ignored manifest keys that have a value (mock-entra does not model them): createdDateTime, parentalControlSettings, publisherDomain, passwordCredentials[].createdOn',
      'note: manifests carry no consent: to reproduce "Grant admin consent", add this under the tenant (uncomment it):',
      'note: the tenant has no users yet: add some under `users:` to sign in',
    ]);
  });

  it('ends the YAML with the consent as comments that, uncommented, validate', async () => {
    const { stdout } = await run('import', LEGACY_MANIFEST, '--domain', 'contoso.onmicrosoft.com');
    expect(stdout).toContain('    # Consent (a manifest carries none): uncomment to reproduce "Grant admin consent".\n    # oauth2PermissionGrants:\n');
    const uncommented = parseYaml(stdout.replace(/^( {4})#(?! Consent) ?/gm, '$1')) as FixtureDocument;
    expect(validateFixture(uncommented, 'imported.yaml')).toEqual([]);
    expect(uncommented.tenants[0]!.verifiedDomains).toEqual(['contoso.onmicrosoft.com']);
    expect(uncommented.tenants[0]!.oauth2PermissionGrants).toEqual([
      {
        clientId: 'c3e1b7a2-5d94-4f08-8a6c-1e2f9b4d7a50',
        consentType: 'AllPrincipals',
        resourceId: '00000003-0000-0000-c000-000000000000',
        scope: 'openid profile email offline_access User.Read',
      },
    ]);
    expect(uncommented.tenants[0]!.appRoleAssignments).toEqual([
      {
        principalId: 'c3e1b7a2-5d94-4f08-8a6c-1e2f9b4d7a50',
        principalType: 'ServicePrincipal',
        resourceId: '00000003-0000-0000-c000-000000000000',
        appRoleId: '5b567255-7703-4780-807c-7be8301ae99b',
      },
    ]);
  });

  it('writes JSON to --out, with the tenant options', async () => {
    const out = join(tempDir(), 'openmetadata.json');
    const tenant = '2f3e4d5c-6b7a-4988-a7b6-c5d4e3f2a1b0';
    const result = await run('import', GRAPH_MANIFEST, '--out', out, '--tenant', tenant, '--tenant-name', 'OpenMetadata Dev', '--domain', 'om.example.com');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith(`wrote ${out}\n`)).toBe(true);
    const written = JSON.parse(readFileSync(out, 'utf8')) as FixtureDocument;
    expect(written.tenants.map((t) => [t.id, t.displayName, t.verifiedDomains])).toEqual([[tenant, 'OpenMetadata Dev', ['om.example.com']]]);
    expect(written.tenants[0]!.applications![0]!.spa).toEqual({
      redirectUris: ['http://localhost:8585/callback', 'https://openmetadata.contoso.com/callback'],
    });
  });

  it('still writes a fixture with problems, lists them and exits 1', async () => {
    const dir = tempDir();
    const manifest = join(dir, 'intranet.json');
    writeFileSync(
      manifest,
      `\uFEFF${JSON.stringify({ appId: '8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b', displayName: 'Intranet', web: { redirectUris: ['http://intranet.contoso.com/cb'] } })}`,
    );
    const out = join(dir, 'intranet.yaml');
    const result = await run('import', manifest, '-o', out);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').slice(-3)).toEqual([
      `${manifest}: tenants[0].applications[0].web.redirectUris[0]: must use https unless the host is localhost`,
      `wrote ${out} (with 1 problem to fix)`,
      '',
    ]);
    expect((parseYaml(readFileSync(out, 'utf8')) as FixtureDocument).tenants[0]!.applications![0]!.displayName).toBe('Intranet');
  });

  it('writes nothing to stdout when the manifest has problems (stdout is the fixture file), and nothing at all for a non-manifest', async () => {
    const dir = tempDir();
    const manifest = join(dir, 'intranet.json');
    writeFileSync(
      manifest,
      JSON.stringify({ appId: '8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b', displayName: 'Intranet', web: { redirectUris: ['http://intranet.contoso.com/cb'] } }),
    );
    const problems = await run('import', manifest);
    expect(problems.code).toBe(1);
    expect(problems.stdout).toBe('');
    expect(problems.stderr.split('\n').slice(-3)).toEqual([
      `${manifest}: tenants[0].applications[0].web.redirectUris[0]: must use https unless the host is localhost`,
      'nothing written: fix the manifest, or pass --out FILE to get the fixture with its problems to fix',
      '',
    ]);
    const list = join(dir, 'list.json');
    writeFileSync(list, '[1, 2]');
    const out = join(dir, 'list.yaml');
    expect(await run('import', list)).toEqual({ code: 1, stdout: '', stderr: `${list}: (root): must be a JSON object (an app registration manifest)\n` });
    expect(await run('import', list, '--out', out)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${list}: (root): must be a JSON object (an app registration manifest)\n`,
    });
    expect(existsSync(out)).toBe(false);
  });

  it('reports a manifest that is not JSON', async () => {
    const manifest = join(tempDir(), 'manifest.json');
    writeFileSync(manifest, '{ "appId": ');
    const result = await run('import', manifest);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${manifest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\(root\\): cannot parse: `));
  });

  it('refuses bad options with exit code 2', async () => {
    expect((await run('import')).code).toBe(2);
    expect((await run('import', LEGACY_MANIFEST, '--format', 'xml')).stderr.split('\n')[0]).toBe(
      "mock-entra fixtures import: --format must be yaml or json, not 'xml'",
    );
    expect((await run('import', LEGACY_MANIFEST, '--tenant', 'contoso')).stderr.split('\n')[0]).toBe(
      "mock-entra fixtures import: --tenant must be a GUID, not 'contoso'",
    );
    const unknown = await run('import', LEGACY_MANIFEST, '--tenantid', 'x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^mock-entra fixtures import: Unknown option '--tenantid'/);
  });
});

describe('mock-entra fixtures (other subcommands)', () => {
  // generate: cli/test/fixtures-generate.test.ts
  it('prints help, and usage on a missing or unknown subcommand', async () => {
    expect(await run('help')).toEqual({ code: 0, stdout: FIXTURES_USAGE, stderr: '' });
    expect(await run()).toEqual({ code: 2, stdout: '', stderr: `mock-entra fixtures: a subcommand is required\n\n${FIXTURES_USAGE}` });
    expect(await run('check')).toEqual({ code: 2, stdout: '', stderr: `mock-entra fixtures: unknown subcommand 'check'\n\n${FIXTURES_USAGE}` });
  });
});
