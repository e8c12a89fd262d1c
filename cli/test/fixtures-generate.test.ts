import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FIXTURES_USAGE, runFixturesCommand } from '../fixtures-command.js';
import { DEFAULT_FIXTURE_PATH, loadFixtureFile } from '../../mock-idp/src/directory/load-fixture.js';
import type { FixtureDocument } from '../../mock-idp/src/directory/model.js';
import { stableUuid } from '../../mock-idp/src/support/ids.js';

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runFixturesCommand(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'mock-entra-generate-'));
const contoso = parseYaml(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as FixtureDocument;
const SPEC_ARGS = [
  '--seed',
  '7',
  '--users',
  '300',
  '--groups',
  '40',
  '--nested-groups',
  '4',
  '--users-in-many-groups',
  '2:30',
  '--guests',
  '0.1',
  '--users-without-mail',
  '0.1',
  '--microsoft365-groups',
  '0.25',
];

describe('mock-entra fixtures generate', () => {
  it('writes a fully expanded tenant that `fixtures validate` accepts, and says what it wrote', async () => {
    const out = join(dir, 'tenant.json');
    const result = await run('generate', ...SPEC_ARGS, '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const id = stableUuid('generated-tenant:7');
    expect(result.stderr).toMatch(
      new RegExp(`^wrote ${out}: tenant ${id} \\(generated-7\\.onmicrosoft\\.com\\), 300 users, 40 groups, \\d+ memberships, seed 7, [\\d.]+ s\\n$`),
    );

    const text = readFileSync(out, 'utf8');
    const doc = JSON.parse(text) as FixtureDocument;
    const tenant = doc.tenants[0]!;
    expect(Object.keys(tenant)).toEqual(['id', 'displayName', 'verifiedDomains', 'users', 'groups']);
    expect(tenant).toMatchObject({ id, displayName: 'Generated tenant', verifiedDomains: ['generated-7.onmicrosoft.com'] });
    expect(tenant.users!.filter((u) => u.userType === 'Guest')).toHaveLength(30);
    expect(tenant.groups!.filter((g) => g.groupTypes?.includes('Unified'))).toHaveLength(10);
    // One user or group per line.
    expect(text.split('\n').filter((line) => line.startsWith('        {"id":'))).toHaveLength(340);
    expect(await run('validate', out)).toEqual({ code: 0, stdout: `${out}: ok (1 tenant, 0 apps, 300 users, 40 groups)\n`, stderr: '' });
  });

  it('writes the same bytes for the same options, other bytes for another seed', async () => {
    const a = await run('generate', ...SPEC_ARGS);
    const b = await run('generate', ...SPEC_ARGS);
    expect(a.stdout).toBe(b.stdout);
    const c = await run('generate', ...SPEC_ARGS.map((arg) => (arg === '7' ? '8' : arg)));
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('extends contoso: keeps its id, domain, apps, secrets and consents unless told otherwise', async () => {
    const kept = JSON.parse((await run('generate', '--extends', 'contoso', '--users', '20', '--groups', '4')).stdout) as FixtureDocument;
    const base = contoso.tenants[0]!;
    expect(kept.tenants[0]).toMatchObject({ id: base.id, displayName: 'Contoso', verifiedDomains: base.verifiedDomains });
    expect(kept.tenants[0]!.applications).toEqual(base.applications);
    expect(kept.tenants[0]!.oauth2PermissionGrants).toEqual(base.oauth2PermissionGrants);
    expect(kept.tenants[0]!.appRoleAssignments).toEqual(base.appRoleAssignments);
    expect(kept.tenants[0]!.users).toHaveLength(23);

    const own = JSON.parse(
      (
        await run(
          'generate',
          '--extends',
          'contoso',
          '--tenant',
          '3f0c5a4e-1b2d-4c8e-9f7a-6b5c4d3e2f10',
          '--tenant-name',
          'Big',
          '--domain',
          'big.test',
          '--users',
          '5',
          '--groups',
          '1',
        )
      ).stdout,
    ) as FixtureDocument;
    expect(own.tenants[0]).toMatchObject({ id: '3f0c5a4e-1b2d-4c8e-9f7a-6b5c4d3e2f10', displayName: 'Big', verifiedDomains: ['big.test'] });
    expect(own.tenants[0]!.users!.slice(3).every((u) => u.userPrincipalName.endsWith('@big.test'))).toBe(true);
  });

  it('writes YAML when asked (or for a .yaml file) that loads to the same tenant', async () => {
    const json = join(dir, 'same.json');
    const yaml = join(dir, 'same.yaml');
    expect((await run('generate', ...SPEC_ARGS, '-o', json)).code).toBe(0);
    expect((await run('generate', ...SPEC_ARGS, '-o', yaml)).code).toBe(0);
    expect(readFileSync(yaml, 'utf8')).toMatch(/^tenants:\n {2}- id: /);
    expect(await loadFixtureFile(yaml)).toEqual(await loadFixtureFile(json));
    expect((await run('generate', '--users', '1', '--groups', '1', '--format', 'yaml')).stdout).toMatch(/^tenants:/);
  });

  it('names the option behind a spec that does not add up, and exits 1', async () => {
    expect(await run('generate', '--users', '10', '--groups', '20', '--microsoft365-groups', '0.5', '--users-in-many-groups', '11:12')).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'mock-entra fixtures generate: --users-in-many-groups.count: must be at most users (10)',
        'mock-entra fixtures generate: --users-in-many-groups.groups: must be at most the number of security groups (10: groups − microsoft365Groups)',
        '',
      ].join('\n'),
    });
    expect((await run('generate', '--users', '2000000')).stderr).toBe('mock-entra fixtures generate: --users: must be at most 1000000\n');
    expect((await run('generate', '--extends', 'fabrikam')).stderr).toBe(
      'mock-entra fixtures generate: --extends: must be contoso (the default tenant) or a fixture file: ./base.yaml, or ./base.yaml#<tenant id> when it has several tenants\n',
    );
  });

  it('refuses malformed options with usage (exit 2)', async () => {
    const usage = (message: string) => ({ code: 2, stdout: '', stderr: `mock-entra fixtures generate: ${message}\n\n${FIXTURES_USAGE}` });
    expect(await run('generate', '--users', 'many')).toEqual(usage("--users must be a number, not 'many'"));
    expect(await run('generate', '--users-in-many-groups', '3x250')).toEqual(usage("--users-in-many-groups must be COUNT:GROUPS, e.g. 3:250, not '3x250'"));
    expect(await run('generate', '--tenant', 'acme')).toEqual(usage("--tenant must be a GUID, not 'acme'"));
    expect(await run('generate', '--format', 'xml')).toEqual(usage("--format must be json or yaml, not 'xml'"));
    expect(await run('generate', 'extra')).toEqual(usage("unexpected argument 'extra'"));
    const unknown = await run('generate', '--user', '5');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^mock-entra fixtures generate: Unknown option '--user'/);
  });
});
