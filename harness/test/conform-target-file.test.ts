import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadTargetFile, TargetFileError, validateTarget, type TargetDefinition } from '../src/index.js';

/**
 * Target files (README "Conformance mode"): YAML, JSON and TypeScript load to the same object; a
 * file with problems is refused with every problem listed — the schema's path and message, an
 * unknown ${VAR}, a signed-in URL pattern RE2 cannot compile — and `mock-entra conform` exits 2.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const BRIDGE_TARGET = join(ROOT, 'examples', 'targets', 'bridge', 'target.yaml');

const APP = { appId: '3c3ae0a4-5c4b-4b5e-9a43-0d6f5d0a6b11', displayName: 'My app', web: { redirectUris: ['http://localhost:${PORT}/callback'] } };
const VALID = {
  name: 'my-app',
  app: APP,
  managed: { command: ['node', 'server.js'], env: { ISSUER: '${MOCK_ENTRA_ISSUER}' } },
  signIn: { path: '/login' },
  signedIn: { selector: '#me' },
};

function conform(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'conform', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', MOCK_ENTRA_IDP_URL: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

async function issuesOf(file: string): Promise<string[]> {
  try {
    await loadTargetFile(file);
  } catch (e) {
    if (e instanceof TargetFileError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('conformance target files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conform-target-'));

  it('loads the same target from YAML, JSON and TypeScript (defineTarget)', async () => {
    const yaml = await loadTargetFile(BRIDGE_TARGET);
    expect(yaml.target.name).toBe('bridge');
    expect(yaml.target.managed?.command).toEqual(['node', 'serve.mjs']);
    expect(yaml.target.signedIn).toEqual({ url: '^/sso/callback/vc-5f2a9c\\?', selector: '#signed-in' });
    expect(yaml.dir).toBe(join(ROOT, 'examples', 'targets', 'bridge'));

    const json = join(dir, 'my-app.json');
    writeFileSync(json, JSON.stringify(VALID));
    expect((await loadTargetFile(json)).target).toEqual(VALID);

    const ts = join(dir, 'my-app.target.ts');
    writeFileSync(ts, `import { defineTarget } from ${JSON.stringify(HARNESS)};\nexport default defineTarget(${JSON.stringify(VALID)});\n`);
    expect((await loadTargetFile(ts)).target).toEqual(VALID);
  });

  it('lists every schema problem with its path and message', async () => {
    const file = join(dir, 'bad-schema.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'My App',
        app: { displayName: 'x', web: { redirectUris: ['http://localhost/cb'] }, colour: 'blue' },
        managed: { command: [] },
        signIn: {},
        signedIn: {},
        logout: { path: '/bye', method: 'DELETE' },
      }),
    );
    const issues = await issuesOf(file);
    // The application's fields are the fixture schema's (the list grows with it).
    const colour = issues.filter((i) => i.startsWith('app.colour'));
    expect(colour).toHaveLength(1);
    expect(colour[0]).toMatch(
      /^app\.colour: unknown field \(allowed: appId, id, displayName, signInAudience, web, spa, publicClient, .*passwordCredentials, keyCredentials\)$/,
    );
    expect(issues.filter((i) => !i.startsWith('app.colour'))).toEqual([
      'name: "My App" must match ^[a-z0-9-]+$',
      'app.appId: is required',
      'managed.command: must NOT have fewer than 1 items',
      'signIn.path: is required',
      'signedIn: must NOT have fewer than 1 properties',
      'logout.method: unknown field (allowed: path)',
    ]);
  });

  it('names an unknown ${VAR}, a pattern RE2 cannot compile, and a target with neither managed nor attached', async () => {
    const file = join(dir, 'bad-values.yaml');
    writeFileSync(
      file,
      [
        'name: my-app',
        `app: ${JSON.stringify(APP)}`,
        'attached: { url: "http://localhost:8080", tenantId: 5b1c0e4e-7d2a-4f6b-9c3d-2e1f0a9b8c7d, restart: { command: "systemctl restart ${APP_UNIT}" } }',
        'signIn: { path: /login }',
        'signedIn: { url: "^/me(", text: "${MOCK_ENTRA_DOMAIN}" }',
      ].join('\n'),
    );
    expect(await issuesOf(file)).toEqual([
      'attached.restart.command: unknown variable ${APP_UNIT} (known: MOCK_ENTRA_URL, MOCK_ENTRA_TENANT_ID, MOCK_ENTRA_DOMAIN, MOCK_ENTRA_AUTHORITY, MOCK_ENTRA_DISCOVERY_URL, MOCK_ENTRA_ISSUER, MOCK_ENTRA_CLIENT_ID, MOCK_ENTRA_CLIENT_SECRET, MOCK_ENTRA_CA_FILE, PORT, TARGET_URL, TARGET_DIR, RUN_DIR)',
      'signedIn.url: not a valid RE2 regular expression: error parsing regexp: missing closing ): `^/me(`',
    ]);
    const neither = join(dir, 'neither.json');
    writeFileSync(neither, JSON.stringify({ ...VALID, managed: undefined }));
    expect(await issuesOf(neither)).toEqual([': give `managed` (the harness starts the app) or `attached` (it runs already), or both']);
    // A lookahead is not RE2 (linear time): refused rather than run with a backtracking engine.
    const look = join(dir, 'lookahead.json');
    writeFileSync(look, JSON.stringify({ ...VALID, signedIn: { url: '^/(?=me)' } }));
    expect(await issuesOf(look)).toEqual(['signedIn.url: not a valid RE2 regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=`']);
  });

  it("the README's example target file is valid as written", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').filter((b) => b.startsWith('# my-app.target.yaml'));
    expect(blocks).toHaveLength(1);
    const doc = parseYaml(blocks[0]!) as TargetDefinition;
    expect(validateTarget(doc)).toEqual([]);
    expect(doc.managed?.env?.ISSUER_BASE_URL).toBe('${MOCK_ENTRA_AUTHORITY}');
    expect(doc.app.web?.redirectUris).toEqual(['http://localhost:${PORT}/callback']);
  });

  it('mock-entra conform refuses a bad target file with every problem and exit code 2; bad usage too', async () => {
    const file = join(dir, 'bad-cli.yaml');
    writeFileSync(file, 'name: x\napp: { appId: nope, displayName: X }\nsignIn: { path: / }\nsignedIn: { text: "${NOPE}" }\nmanaged: { command: app }\n');
    const r = await conform([file]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `mock-entra conform: ${file}: 2 problem(s)\n  app.appId: "nope" must match ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$\n  signedIn.text: unknown variable \${NOPE} (known: MOCK_ENTRA_URL, MOCK_ENTRA_TENANT_ID, MOCK_ENTRA_DOMAIN, MOCK_ENTRA_AUTHORITY, MOCK_ENTRA_DISCOVERY_URL, MOCK_ENTRA_ISSUER, MOCK_ENTRA_CLIENT_ID, MOCK_ENTRA_CLIENT_SECRET, MOCK_ENTRA_CA_FILE, PORT, TARGET_URL, TARGET_DIR, RUN_DIR)\n`,
    );
    const missing = await conform([join(dir, 'no-such.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`mock-entra conform: ${join(dir, 'no-such.yaml')}: 1 problem(s)\n  (file): cannot read it: ENOENT\n`);
    const noFile = await conform([]);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain('mock-entra conform: name a target file');
    const mode = await conform([BRIDGE_TARGET, '--mode', 'attached']);
    expect(mode.code).toBe(2);
    expect(mode.err).toBe(`mock-entra conform: ${BRIDGE_TARGET}: --mode attached needs a \`attached\` section in the target file\n`);
    const badMode = await conform([BRIDGE_TARGET, '--mode', 'sideways']);
    expect(badMode.code).toBe(2);
    expect(badMode.err).toBe("mock-entra conform: --mode must be managed or attached, not 'sideways'\n");
  });
});
