import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../mock-idp/src/index.js';
import {
  browserLogin,
  startHarnessEnvironment,
  CONTOSO,
  defineScenario,
  expectAadsts,
  expectBridgeUser,
  explainFailure,
  DEFAULT_SCENARIOS_DIR,
  loadScenarios,
  matchesFilter,
  runScenario,
  scenarioIdentity,
  withMutatedExpectation,
  type HarnessEnvironment,
  type LoadedScenario,
} from '../src/index.js';
import { renderHtmlReport } from '../src/reporters/html.js';
import { toMeta } from '../src/vitest/meta.js';
import { harnessEnvironment, registerScenarios } from '../src/vitest/register.js';

/**
 * The harness's own test. Above all: changing any one expected outcome of any shipped scenario
 * turns it red — each expectation of each scenario is replaced by its mutation (another AADSTS
 * code, another attribute value, one group more…) and the scenario is run through the engine;
 * it must fail, only that expectation must fail, and the failure must explain itself.
 */
/**
 * Every shipped scenario runs here once, registered like the adapter (scenarios.test.ts) does,
 * so `npm test` runs each scenario once and its report reaches the HTML reporter. Each run is
 * also judged against every variant of its expected outcome in which one expectation is changed
 * (runScenario's `variants`: the same checks and explanation as the real ones, without repeating
 * the steps), and each variant must fail on exactly that expectation, explaining itself.
 */
const scenarios = await registerScenarios({
  dir: DEFAULT_SCENARIOS_DIR,
  filters: [],
  variants: (s) => s.expect.map((_, i) => withMutatedExpectation(s, i).expect),
  afterPass: (s, report) => {
    expect(report.variants).toHaveLength(s.expect.length);
    report.variants!.forEach((v, i) => {
      const changed = withMutatedExpectation(s, i).expect[i]!;
      expect(v.ok, `${s.id}: the scenario stayed green with a changed expectation: ${changed.label}`).toBe(false);
      const failed = v.checks.filter((c) => !c.ok);
      expect(failed.length, v.failure).toBe(1); // only the changed one
      expect(v.checks.indexOf(failed[0]!)).toBe(i);
      expect(failed[0]!.kind).toBe(changed.kind);
      expect(failed[0]!.label).not.toBe(report.checks[i]!.label); // the change is visible in the label
      // Self-explaining: which expectation, expected vs actual, AADSTS seen, the last request to the mock.
      const text = v.failure!;
      expect(text).toContain(`Scenario ${s.flow}/${s.id} failed`);
      expect(text).toContain(`✗ ${changed.kind}: ${failed[0]!.label}`);
      expect(text).toMatch(/\n {6}expected: .+\n {6}actual: {3}.+/);
      expect(text).toMatch(/\n {2}AADSTS seen:/);
      expect(text).toMatch(/last request to the mock: (GET|POST|PUT|PATCH|DELETE) /);
    });
  },
});

describe('every shipped scenario turns red when one expected outcome changes', () => {
  it('ships the scenarios of issue 4, each with expectations that can fail', () => {
    const ids = scenarios.map((s) => s.id);
    for (const id of [
      'rp-login',
      'client-credentials',
      'group-sync',
      'redirect-uri-mismatch',
      'expired-secret',
      'client-id-as-secret',
      'group-sync-without-admin-consent',
      'groups-claim-missing',
      'group-overage',
      'graph-throttled',
    ]) {
      expect(ids).toContain(id);
    }
    // Every expectation knows a different outcome to try (the variants judged above).
    for (const s of scenarios) s.expect.forEach((x, i) => expect(withMutatedExpectation(s, i).expect[i]!.label, `${s.id}[${i}]`).not.toBe(x.label));
  });

  // The plain path, end to end: a scenario file's expectation changed, run like any scenario.
  it('a changed expectation fails the scenario through runScenario itself', async () => {
    const s = scenarios.find((x) => x.id === 'client-credentials')!;
    const report = await runScenario(withMutatedExpectation(s, 0), await harnessEnvironment());
    expect(report.ok).toBe(false);
    expect(report.failure).toMatch(/✗ expectClaims: the last token carries aud="api:\/\/91e7eb8b-873b-4d06-bb0a-a7dc41634609-changed"/);
    expect(report.failure).toMatch(
      /actual: {3}aud: expected "api:\/\/91e7eb8b-873b-4d06-bb0a-a7dc41634609-changed", got "api:\/\/91e7eb8b-873b-4d06-bb0a-a7dc41634609"/,
    );
  });
});

describe('a failure explains itself', () => {
  it('a wrong AADSTS expectation names the code it saw, its message, and the last request', async () => {
    const scenario = {
      ...defineScenario({
        title: 'redirect URI mismatch, expected wrongly',
        reproduces: 'harness self-test',
        tenant: { patch: [{ op: 'replace', path: '/applications/0/web/redirectUris', value: ['http://localhost:7000/sso/callback'] }] },
        steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
        expect: [expectAadsts(7000215, { surface: 'error-page' })],
      }),
      id: 'self-test-wrong-code',
      flow: 'harness',
      file: 'inline',
    };
    const report = await runScenario(scenario, await harnessEnvironment());
    expect(report.ok).toBe(false);
    const text = report.failure!;
    expect(text).toContain("expected: AADSTS7000215 on Microsoft's error page, with no redirect to the app");
    expect(text).toMatch(/actual: {3}step 1: AdeleV@self-test-wrong-code-[0-9a-f]+\.onmicrosoft\.com ended on Microsoft's error page with AADSTS50011/);
    expect(text).toMatch(/AADSTS50011 \(invalid_grant\) in Microsoft's error page \(step 1\): AADSTS50011: The redirect URI/);
    expect(text).toMatch(/last request to the mock: GET \/[0-9a-f-]+\/oauth2\/v2\.0\/authorize\?client_id=.* → \d{3} AADSTS50011 invalid_grant \(authorize/);
    // The browser page is kept for the report: every page on failure.
    expect(report.screenshots.length).toBeGreaterThan(0);
    expect(report.screenshots[0]!.png.length).toBeGreaterThan(1000);
  });

  it('a step that cannot be carried out fails the scenario with the step and the reason', async () => {
    const scenario = {
      ...defineScenario({
        title: 'a user the tenant does not know',
        reproduces: 'harness self-test',
        steps: [browserLogin({ app: 'bridge', user: 'nobody@contoso.onmicrosoft.com' })],
        expect: expectBridgeUser({ user: 'nobody@contoso.onmicrosoft.com' }),
        timeoutMs: 30_000,
      }),
      id: 'self-test-unknown-user',
      flow: 'harness',
      file: 'inline',
    };
    const report = await runScenario(scenario, await harnessEnvironment());
    expect(report.ok).toBe(false);
    expect(report.failure).toMatch(/✗ expectBridgeUser: the bridge provisioned nobody@self-test-unknown-user-[0-9a-f]+\.onmicrosoft\.com/);
    expect(report.failure).toMatch(/actual: {3}no such user in the bridge; its users: none/);
  });

  it('each run has its own tenant, deleted afterwards', async () => {
    const env = await harnessEnvironment();
    const s = scenarios.find((x) => x.id === 'client-credentials')!;
    const [a, b] = await Promise.all([runScenario(s, env), runScenario(s, env)]);
    expect(a.ok && b.ok, a.failure ?? b.failure).toBe(true);
    expect(a.tenant!.id).not.toBe(b.tenant!.id);
    expect(a.tenant!.domain).not.toBe(b.tenant!.domain);
    const { tenants } = await env.control.listTenants();
    expect(tenants.map((t) => t.id)).not.toContain(a.tenant!.id);
    expect(tenants.map((t) => t.id)).not.toContain(b.tenant!.id);
    // The request log is the scenario tenant's own.
    expect(a.requests.length).toBeGreaterThan(0);
    expect(a.requests.every((r) => !r.url.includes(CONTOSO.tenantId))).toBe(true);
  });
});

describe('attached to a mock started elsewhere (--idp-url), over HTTPS', () => {
  let https: RunningMockEntra;
  let env: HarnessEnvironment;
  beforeAll(async () => {
    https = await startMockEntra({ port: 0 });
    // As `--idp-url https://… --ca FILE` does: Node verifies the mock against its CA, Chromium is
    // started with that key pinned, and the bridge, ingestion client and SPA server trust the CA.
    env = await startHarnessEnvironment({ idpUrl: https.url, caPem: https.caPem });
  });
  afterAll(async () => {
    await env?.close();
    await https?.close();
  });

  test.concurrent.for(['rp-login', 'client-credentials', 'spa-login'])('%s passes against an HTTPS mock, CA verified', async (id) => {
    const s = scenarios.find((x) => x.id === id)!;
    const report = await runScenario(s, env);
    expect(report.ok, report.failure).toBe(true);
    expect(report.tenant!.authority.startsWith('https://localhost:')).toBe(true);
  });
});

describe('scenario files', () => {
  it('the file name is the id, the folder the flow', () => {
    expect(scenarioIdentity('/x/scenarios/secrets/expired-secret.scenario.ts', '/x/scenarios')).toEqual({ id: 'expired-secret', flow: 'secrets' });
    expect(scenarioIdentity('/x/scenarios/a/b/deep.scenario.ts', '/x/scenarios')).toEqual({ id: 'deep', flow: 'a/b' });
    for (const s of scenarios) expect(s.file.endsWith(`/${s.flow}/${s.id}.scenario.ts`)).toBe(true);
  });

  it('filters are case-insensitive substrings of <flow>/<id>', () => {
    const s = { id: 'group-sync', flow: 'group-sync' };
    expect(matchesFilter(s, [])).toBe(true);
    expect(matchesFilter(s, ['GROUP'])).toBe(true);
    expect(matchesFilter(s, ['sso/', 'sync'])).toBe(true);
    expect(matchesFilter(s, ['rp-login'])).toBe(false);
  });

  it('two scenarios with one id are refused, naming both files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenarios-'));
    for (const flow of ['a', 'b']) {
      mkdirSync(join(dir, flow));
      writeFileSync(join(dir, flow, 'same.scenario.ts'), 'export default {}');
    }
    const fake = { title: 't', reproduces: 'r', tenant: {}, steps: [], expect: [], timeoutMs: 1 };
    await expect(loadScenarios({ dir, importer: async () => ({ default: fake }) })).rejects.toThrow(/two scenarios have the id 'same'/);
    await expect(loadScenarios({ dir, importer: async () => ({ default: 42 }) })).rejects.toThrow(/default export must be defineScenario/);
  });

  it("the README's table lists every shipped scenario", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const s of scenarios) expect(readme).toContain(`| \`${s.flow}/${s.id}\` |`);
  });

  it('defineScenario refuses a scenario without title, reproduces, steps or expectations', () => {
    expect(() => defineScenario({ title: '', reproduces: '', steps: [], expect: [] })).toThrow(/title.*reproduces.*steps.*expect/);
  });
});

describe('HTML report', () => {
  it('shows title, reproduces, steps, expected vs actual, the request log, and embeds screenshots', async () => {
    const s = scenarios.find((x) => x.id === 'redirect-uri-mismatch')! as LoadedScenario;
    const report = await runScenario(withMutatedExpectation(s, 0), await harnessEnvironment());
    const out = mkdtempSync(join(tmpdir(), 'html-report-'));
    const meta = toMeta(report, out);
    expect(meta.screenshots.length).toBeGreaterThan(0);
    const html = renderHtmlReport(
      [
        {
          name: `${s.flow}/${s.id}`,
          module: 'harness/test/scenarios.test.ts',
          project: 'scenarios',
          state: 'failed',
          durationMs: report.durationMs,
          errors: [report.failure!],
          scenario: meta,
        },
      ],
      { reason: 'failed', unhandled: [], generatedAt: new Date() },
    );
    writeFileSync(join(out, 'index.html'), html);
    expect(html).toContain(s.title.replace(/'/g, '&#39;'));
    expect(html).toContain('PingOne &quot;Connect to Azure&quot; steps 14–15');
    expect(html).toContain('<h3>Steps</h3>');
    expect(html).toContain('<h3>Expected vs actual</h3>');
    expect(html).toContain('AADSTS7000215 on Microsoft&#39;s error page');
    expect(html).toMatch(/<h3>Request log \(\d+\)<\/h3>/);
    expect(html).toContain('authorize.v2');
    expect(html).toContain('<img alt="error-page" src="data:image/png;base64,iVBOR');
    expect(readFileSync(meta.screenshots[0]!.file).subarray(1, 4).toString()).toBe('PNG');
  });
});

// Sanity of the explanation for a report assembled by hand (no mock involved).
it('explainFailure lists failed checks, steps, AADSTS seen and the last refused request', () => {
  const text = explainFailure({
    id: 'x',
    flow: 'f',
    file: '',
    title: 'T',
    reproduces: 'R',
    ok: false,
    steps: [{ index: 0, kind: 'groupSync', label: 'sync', ok: true, summary: 'failed', durationMs: 3 }],
    checks: [{ kind: 'expectGroupSync', label: 'completes', ok: false, expected: 'completed', actual: 'failed' }],
    aadstsSeen: [
      { code: 7000222, error: 'invalid_client', message: 'AADSTS7000222: The provided client secret keys are expired.', where: 'bridge (group-sync)' },
    ],
    requests: [
      { time: '', method: 'POST', url: '/t/oauth2/v2.0/token', endpoint: 'token.v2', status: 401, aadsts: 7000222, durationMs: 1 },
      { time: '', method: 'GET', url: '/_mock/health', endpoint: 'control', status: 200, durationMs: 1 },
    ],
    screenshots: [],
    startedAt: '',
    durationMs: 5,
  });
  expect(text).toContain('✗ expectGroupSync: completes\n      expected: completed\n      actual:   failed');
  expect(text).toContain('AADSTS7000222 (invalid_client) in bridge (group-sync): AADSTS7000222: The provided client secret keys are expired.');
  expect(text).toContain('last request to the mock: GET /_mock/health → 200 (control)');
  expect(text).toContain('last refused request:      POST /t/oauth2/v2.0/token → 401 AADSTS7000222 (token.v2)');
});
