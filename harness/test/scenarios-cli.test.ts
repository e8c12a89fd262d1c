import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `mock-entra scenarios` as a user runs it: a child process (the CLI from source through tsx),
 * its exit code, its console, and the reports it writes.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = fileURLToPath(new URL('../src/index.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'scenarios', ...args], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', MOCK_ENTRA_IDP_URL: '', MOCK_ENTRA_SCENARIOS: '', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

describe('mock-entra scenarios', () => {
  it('refuses unknown reporters and subcommands with exit code 2', async () => {
    const bad = await cli(['run', '--reporter', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown reporter xml (choose from console, junit, json, html)');
    const sub = await cli(['frobnicate']);
    expect(sub.code).toBe(2);
    expect(sub.err).toContain("unknown subcommand 'frobnicate'");
  });

  it('says plainly when the mock to attach to is not there', async () => {
    const r = await cli(['run', 'rp-login', '--idp-url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot reach the mock's test-control API at http:\/\/127\.0\.0\.1:9\/_mock\/health: .*ECONNREFUSED.* is the mock running\?/);
  });

  it('list: every scenario with what it reproduces; filters; --json', async () => {
    const r = await cli(['list', 'ingestion/client', 'secrets/client', '--json']);
    expect(r.code, r.err).toBe(0);
    const listed = JSON.parse(r.out) as Array<{ id: string; flow: string; reproduces: string }>;
    expect(listed.map((s) => `${s.flow}/${s.id}`).sort()).toEqual(['ingestion/client-credentials', 'secrets/client-id-as-secret']);
    expect(listed.every((s) => s.reproduces.length > 0)).toBe(true);
  });

  it('run: a failing scenario exits 1 and explains itself in the console, JUnit XML, JSON and HTML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenarios-cli-'));
    mkdirSync(join(dir, 'demo'));
    writeFileSync(
      join(dir, 'demo', 'wrong-code.scenario.ts'),
      `import { clientCredentials, defineScenario, expectAadsts, expectClaims } from ${JSON.stringify(HARNESS)};
export default defineScenario({
  title: 'The ingestion client with the client ID as its secret, expected to be AADSTS7000222',
  reproduces: 'CLI test',
  steps: [clientCredentials({ app: 'ingestion', clientSecret: '90d3a1a1-3048-4779-8ee3-17f5f979da19' })],
  expect: [expectAadsts(7000222, { surface: 'json' })],
});
`,
    );
    writeFileSync(
      join(dir, 'demo', 'fine.scenario.ts'),
      `import { clientCredentials, defineScenario, expectClaims } from ${JSON.stringify(HARNESS)};
export default defineScenario({ title: 'An app-only token', reproduces: 'CLI test', steps: [clientCredentials()], expect: expectClaims({ idtyp: 'app' }) });
`,
    );
    const out = join(dir, 'reports');
    const r = await cli(['run', '--dir', dir, '--out', out]);
    expect(r.code, r.out + r.err).toBe(1);
    const printed = r.out + r.err; // vitest prints failures on stderr
    expect(printed).toContain('✗ expectAadsts: AADSTS7000222 in a JSON error answer of the mock');
    expect(printed).toMatch(/actual: {3}token\.v2 answered 401 AADSTS7000215/);
    expect(r.out).toContain(`Reports: ${join(out, 'junit.xml')}, ${join(out, 'results.json')}, ${join(out, 'index.html')}`);

    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="mock-entra scenarios" tests="2" failures="1"/);
    expect(junit).toContain('name="demo/fine — An app-only token"');
    expect(junit).toMatch(/<failure message="Scenario demo\/wrong-code failed[^"]*"/);
    expect(junit).toContain('AADSTS7000215 (invalid_client) in token endpoint JSON answer (step 1): AADSTS7000215: Invalid client secret provided.');

    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      numFailedTests: number;
      testResults: Array<{ assertionResults: Array<{ meta: { scenario?: { id: string; requests: unknown[] } } }> }>;
    };
    expect(json.numFailedTests).toBe(1);
    const metas = json.testResults.flatMap((f) => f.assertionResults.map((a) => a.meta.scenario!));
    expect(metas.map((m) => m.id).sort()).toEqual(['fine', 'wrong-code']);
    expect(metas.every((m) => m.requests.length > 0)).toBe(true);

    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<span class="badge failed">failed</span><span class="id">demo/wrong-code</span>');
    expect(html).toContain('<span class="badge passed">passed</span><span class="id">demo/fine</span>');
    expect(html).toContain('<h3>Why it failed</h3>');
  });
});
