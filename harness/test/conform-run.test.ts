import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../bridge/index.js';
import { startMockEntra, type RunningMockEntra } from '../../mock-idp/src/index.js';
import { freePort } from '../src/conform/rp-instance.js';
import { DEFAULT_SCENARIOS_DIR, loadScenarios, type TargetDefinition } from '../src/index.js';

/**
 * `mock-entra conform` as a user runs it (the CLI from source, a child process) against the
 * reference bridge — managed (in parallel) and attached (a bridge this test starts, with and
 * without a restart hook) — against a target that cannot sign anybody in (every verdict
 * inconclusive), and against a relying party that checks nothing (it fails the required checks,
 * each explained, and passes the skippable ones as "pass (skippable …)"). Every verdict asserted.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SUPPORT = fileURLToPath(new URL('./conform-support/', import.meta.url));
const BRIDGE_APP_ID = '0221982c-674f-4c07-930d-62307ef0b73c';
const SECRET = 'brg8Q~Conform-Secret-Value-For-Local-Dev-01';
const SIGNATURE_RULE =
  'OIDC Core 3.1.3.7 (6): an ID token received directly from the token endpoint (the code flow) may be trusted on TLS server validation in place of checking its signature';

const app = (redirectUri: string): TargetDefinition['app'] => ({
  appId: BRIDGE_APP_ID,
  displayName: 'Identity Bridge (conformance)',
  signInAudience: 'AzureADMyOrg',
  web: { redirectUris: [redirectUri] },
  groupMembershipClaims: 'SecurityGroup',
  passwordCredentials: [
    {
      keyId: '7d0f6a52-3c4e-4f0a-9a59-2f7e0b1c8d11',
      displayName: 'conform',
      secretText: SECRET,
      startDateTime: '2024-01-01T00:00:00Z',
      endDateTime: '2099-12-31T23:59:59Z',
    },
  ],
});

/** The bridge as a managed target, started from the TypeScript sources (examples/targets/bridge runs the built package). */
const BRIDGE: TargetDefinition = {
  name: 'bridge',
  library: 'openid-client 6',
  app: app('http://localhost:${PORT}/sso/callback/vc-5f2a9c'),
  managed: { command: [process.execPath, '--import', 'tsx', 'harness/src/conform/serve-bridge.ts'], cwd: ROOT },
  ready: { path: '/api/status' },
  signIn: { path: '/login' },
  signedIn: { url: '^/sso/callback/vc-5f2a9c\\?', selector: '#signed-in' },
};

const dir = mkdtempSync(join(tmpdir(), 'conform-run-'));

function targetFile(name: string, t: TargetDefinition): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(t, null, 2));
  return file;
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  verdicts: Record<string, string>;
  reasons: Record<string, string>;
  outDir: string;
}

function conform(args: string[]): Promise<Run> {
  const outDir = mkdtempSync(join(dir, 'out-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'conform', ...args, '--out', outDir], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', MOCK_ENTRA_IDP_URL: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const verdicts: Record<string, string> = {};
      const reasons: Record<string, string> = {};
      try {
        const doc = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as {
          verdicts: Array<{ scenario: string; verdict: string; reason: string }>;
        };
        for (const v of doc.verdicts) {
          verdicts[v.scenario] = v.verdict;
          reasons[v.scenario] = v.reason;
        }
      } catch {
        // no report: the assertions on the exit code and stderr say why
      }
      resolve({ code, out, err, verdicts, reasons, outDir });
    });
  });
}

/** The original RP negatives (each passed as a filter, so scenarios added later do not change these runs). */
const REFUSED = [
  'aud-array-untrusted',
  'discovery-issuer-mismatch',
  'expired-id-token',
  'idtoken-sig-none',
  'invalid-aud',
  'invalid-iss',
  'invalid-nonce',
  'invalid-sig-hs256',
  'invalid-sig-rs256',
  'iss-other-tenant',
  'kid-absent-multiple-jwks',
  'missing-aud',
  'missing-iat',
  'missing-iss',
  'missing-nonce',
  'missing-sub',
  'nbf-future',
].map((id) => `rp-negatives/${id}`);
const ACCEPTED = ['rp-negatives/kid-absent-single-jwks', 'rp-negatives/signing-key-rotation-just-before-signing'];
const IAT = 'OIDC Core 3.1.3.7 (10) leaves the age bound on iat to the client; openid-client rejects only an iat in the future';
const TID = 'tid is not an OIDC Core claim; an RP configured with one tenant compares iss exactly and openid-client does not read tid';
const SKIPPABLE_ACCEPTED = { 'rp-negatives/iat-week-old': IAT, 'rp-negatives/tid-other-tenant': TID };
/** Runs a conformance CLI start to end; a few take a minute on two cores. */
const RUN_TIMEOUT = 240_000;

/**
 * What a relying party that checks nothing must get for a refusal scenario: a pass naming the
 * rule when the scenario declares its check skippable (expectRpRejects' `skippable`), else a fail.
 * (The RP-negative scenarios are being extended alongside: their declarations are read, and the
 * core ones are also asserted literally below.)
 */
async function acceptAllVerdicts(ids: string[]): Promise<Record<string, string>> {
  const scenarios = await loadScenarios({ dir: DEFAULT_SCENARIOS_DIR, filters: ids });
  return Object.fromEntries(
    scenarios
      .filter((s) => ids.includes(`${s.flow}/${s.id}`))
      .map((s) => {
        const rule = s.expect.find((e) => e.conform?.skippable)?.conform?.skippable;
        return [`${s.flow}/${s.id}`, rule ? `pass (skippable check not performed: ${rule})` : 'fail'];
      }),
  );
}

const OTHERS = ['sso/id-token-clock-skew', 'sso/redirect-uri-mismatch', 'sso/rp-login', 'group-sync/group-sync', 'rp-negatives/invalid-chash'];

describe('mock-entra conform', () => {
  it(
    'the bridge, managed: every RP negative passes (the skippable ones say so), bridge-only scenarios are not applicable with their reason',
    { timeout: RUN_TIMEOUT },
    async () => {
      const r = await conform([targetFile('bridge', BRIDGE), ...REFUSED, ...ACCEPTED, ...Object.keys(SKIPPABLE_ACCEPTED), ...OTHERS, '--concurrency', '4']);
      expect(r.code, r.err).toBe(0);
      expect(r.verdicts).toEqual({
        'conform/baseline': 'pass',
        ...Object.fromEntries([...REFUSED, ...ACCEPTED].map((s) => [s, 'pass'])),
        'rp-negatives/iat-week-old': `pass (skippable check not performed: ${IAT})`,
        'rp-negatives/tid-other-tenant': `pass (skippable check not performed: ${TID})`,
        'sso/id-token-clock-skew': 'pass',
        'sso/redirect-uri-mismatch': 'pass',
        'sso/rp-login': 'not applicable',
        'group-sync/group-sync': 'not applicable',
        'group-sync/group-sync-without-admin-consent': 'not applicable',
        'rp-negatives/invalid-chash': 'not applicable',
      });
      expect(r.reasons['sso/rp-login']).toBe('the step bridgeVerify uses the bridge\'s "Verify" button');
      expect(r.reasons['group-sync/group-sync']).toBe("nobody signs in to the relying party (the scenario's steps: groupSync, changeTenant, resync)");
      expect(r.reasons['rp-negatives/invalid-chash']).toBe("the step configureBridge changes the bridge's own settings");
      expect(r.reasons['rp-negatives/invalid-iss']).toMatch(
        /^refused: not signed in \(url matches \^\/sso\/callback\/vc-5f2a9c\\\? \(\/sso\/callback\/vc-5f2a9c\?code=\*\*\*&state=[\w-]+&session_state=\*\*\*\); #signed-in absent\), ended at http:\/\/localhost:\d+\/sso\/callback\/vc-5f2a9c\?… \(HTTP 400, title "Sign-in failed — identity bridge"\); no userinfo or Graph call after the broken response \(POST \/[0-9a-f-]{36}\/oauth2\/v2\.0\/token → 200\)$/,
      );
      // The console: one line per scenario, then the count.
      expect(r.out).toContain('mock-entra conform: bridge (openid-client 6), managed\n');
      expect(r.out).toMatch(/^PASS {9}rp-negatives\/invalid-iss — pass: refused: not signed in/m);
      expect(r.out).toContain(`N/A          sso/rp-login — not applicable: the step bridgeVerify uses the bridge's "Verify" button\n`);
      expect(r.out).toContain('bridge (managed): 28 scenario(s) — 24 pass, 0 fail, 4 not applicable, 0 inconclusive\n');
      // The reports: JUnit (n/a = skipped), vitest's JSON with the verdict in each test's meta, the HTML page.
      const junit = readFileSync(join(r.outDir, 'junit.xml'), 'utf8');
      expect(junit).toContain('<testsuites name="mock-entra conform bridge" tests="28" failures="0" errors="0"');
      expect(junit).toMatch(/<testcase classname="[^"]*conform-adapter[^"]*" name="sso\/rp-login — [^"]*" time="[\d.]+">\s*<skipped\/>/);
      const json = JSON.parse(readFileSync(join(r.outDir, 'results.json'), 'utf8')) as {
        target: unknown;
        testResults: Array<{
          assertionResults: Array<{ title: string; status: string; meta: { scenario?: { verdict?: { text: string }; target?: { name: string } } } }>;
        }>;
      };
      expect(json.target).toEqual({ name: 'bridge', library: 'openid-client 6', mode: 'managed' });
      const iss = json.testResults[0]?.assertionResults.find((a) => a.title.startsWith('rp-negatives/invalid-iss'));
      expect(iss?.status).toBe('passed');
      expect(iss?.meta.scenario?.verdict?.text).toBe('pass');
      expect(iss?.meta.scenario?.target?.name).toBe('bridge');
      const html = readFileSync(join(r.outDir, 'index.html'), 'utf8');
      expect(html).toContain(`Verdict on bridge (managed): pass (skippable check not performed: ${IAT})`);
      expect(html).toContain('Verdict on bridge (managed): not applicable</b><br>the step bridgeVerify uses the bridge&#39;s &quot;Verify&quot; button');
    },
  );

  it(
    'a relying party that checks nothing fails every required check, each explained, and passes the skippable ones as such',
    { timeout: RUN_TIMEOUT },
    async () => {
      const acceptAll: TargetDefinition = {
        name: 'accept-all',
        library: 'none (decodes the ID token, checks nothing)',
        app: { ...app('http://localhost:${PORT}/callback'), appId: '6a7c1f0e-2b3d-4e5f-8a9b-0c1d2e3f4a5b', displayName: 'Accept-all RP' },
        managed: { command: ['node', join(SUPPORT, 'accept-all-rp.mjs')] },
        signIn: { path: '/login' },
        signedIn: { selector: '#me', identity: { path: '/api/me' } },
      };
      const r = await conform([targetFile('accept-all', acceptAll), ...REFUSED, ...ACCEPTED, ...Object.keys(SKIPPABLE_ACCEPTED), '--reporter', 'json']);
      expect(r.code).toBe(1);
      expect(r.verdicts).toEqual({
        'conform/baseline': 'pass',
        ...(await acceptAllVerdicts(REFUSED)),
        ...Object.fromEntries(ACCEPTED.map((s) => [s, 'pass'])),
        'rp-negatives/iat-week-old': `pass (skippable check not performed: ${IAT})`,
        'rp-negatives/tid-other-tenant': `pass (skippable check not performed: ${TID})`,
      });
      // The required checks, literally: a fail naming the check; the signature checks: skippable.
      for (const s of ['invalid-iss', 'invalid-aud', 'invalid-nonce', 'missing-sub', 'missing-nonce', 'iss-other-tenant', 'aud-array-untrusted'])
        expect(r.verdicts[`rp-negatives/${s}`], s).toBe('fail');
      for (const s of ['invalid-sig-rs256', 'invalid-sig-hs256', 'idtoken-sig-none', 'kid-absent-multiple-jwks'])
        expect(r.verdicts[`rp-negatives/${s}`], s).toBe(`pass (skippable check not performed: ${SIGNATURE_RULE})`);
      expect(r.reasons['rp-negatives/invalid-iss']).toMatch(
        /^accepted the sign-in although the ID token's iss is one character off \(the next id_token response gets iss-near-miss\) — the relying party misses the check: OIDF oidcc-client-test-invalid-iss \(rp-id_token-issuer-mismatch\); OIDC Core 3\.1\.3\.7 \(2\): iss must exactly match the issuer\. A correct RP rejects the ID token\. Seen: accepted: signed in \(#me present; identity \/api\/me: preferred_username="AdeleV@[\w-]+\.onmicrosoft\.com", email="AdeleV@contoso\.com", oid="[0-9a-f-]{36}", sub="[\w-]+", name="Adele Vance", tid="[0-9a-f-]{36}"\)/,
      );
      expect(r.reasons['rp-negatives/missing-nonce']).toMatch(
        /^accepted the sign-in although a nonce was sent and the ID token carries none \(the next id_token response gets nonce-removed\) — the relying party misses the check: OIDC Core 3\.1\.3\.7 \(11\)/,
      );
      expect(r.reasons['rp-negatives/invalid-aud']).toMatch(
        /^accepted the sign-in although the ID token's aud is one character off \(the next id_token response gets aud-near-miss\) — the relying party misses the check: OIDF oidcc-client-test-invalid-aud \(rp-id_token-aud\); OIDC Core 3\.1\.3\.7 \(3\)/,
      );
    },
  );

  it(
    'a refusal is not a 5xx (unless the target says it is its way of refusing), a redirect loop, a crash, or a refusal after using the broken response',
    { timeout: 2 * RUN_TIMEOUT },
    async () => {
      const strict = (name: string, onWrongIss: string, refusal?: TargetDefinition['refusal']): TargetDefinition => ({
        name,
        app: { ...app('http://localhost:${PORT}/callback'), appId: '6a7c1f0e-2b3d-4e5f-8a9b-0c1d2e3f4a5b', displayName: 'Accept-all RP' },
        managed: { command: ['node', join(SUPPORT, 'accept-all-rp.mjs')], env: { ON_WRONG_ISS: onWrongIss } },
        signIn: { path: '/login' },
        signedIn: { selector: '#me' },
        ...(refusal ? { refusal } : {}),
      });
      const five = await conform([targetFile('five', strict('answers-500', '500')), 'rp-negatives/invalid-iss', '--reporter', 'json']);
      expect(five.code).toBe(1);
      expect(five.verdicts).toEqual({ 'conform/baseline': 'pass', 'rp-negatives/invalid-iss': 'fail' });
      expect(five.reasons['rp-negatives/invalid-iss']).toMatch(
        /^expected answers-500 refuses the sign-in; got not signed in, but answered HTTP 500 — a server error is not a refusal \(declare refusal\.serverErrorIsRefusal if it is this app's way of refusing\) — ended at http:\/\/localhost:\d+\/callback\?… \(HTTP 500, title "accept-all"\)/,
      );
      const declared = await conform([
        targetFile('five-declared', strict('answers-500-declared', '500', { serverErrorIsRefusal: 'it answers a wrong issuer with its 500 page' })),
        'rp-negatives/invalid-iss',
        '--reporter',
        'json',
      ]);
      expect(declared.code).toBe(0);
      expect(declared.verdicts).toEqual({ 'conform/baseline': 'pass', 'rp-negatives/invalid-iss': 'pass' });
      expect(declared.reasons['rp-negatives/invalid-iss']).toMatch(
        /; HTTP 500 counts as its refusal: it answers a wrong issuer with its 500 page; no userinfo or Graph call after the broken response/,
      );
      const loop = await conform([targetFile('loop', strict('loops', 'loop')), 'rp-negatives/invalid-iss', '--reporter', 'json']);
      expect(loop.code).toBe(1);
      expect(loop.verdicts).toEqual({ 'conform/baseline': 'pass', 'rp-negatives/invalid-iss': 'fail' });
      expect(loop.reasons['rp-negatives/invalid-iss']).toMatch(
        /^expected loops refuses the sign-in; got not signed in, but a redirect loop: \d+ trips to the authorize endpoint in one sign-in/,
      );
      const crash = await conform([targetFile('crash', strict('crashes', 'crash')), 'rp-negatives/invalid-iss', '--reporter', 'json']);
      expect(crash.verdicts).toEqual({ 'conform/baseline': 'pass', 'rp-negatives/invalid-iss': 'fail' });
      expect(crash.reasons['rp-negatives/invalid-iss']).toMatch(
        /^expected crashes refuses the sign-in; got not signed in, but the app's process exited with code 70 — ended at /,
      );
      const followUp = await conform([targetFile('userinfo', strict('calls-userinfo', 'userinfo')), 'rp-negatives/invalid-iss', '--reporter', 'json']);
      expect(followUp.verdicts).toEqual({ 'conform/baseline': 'pass', 'rp-negatives/invalid-iss': 'fail' });
      expect(followUp.reasons['rp-negatives/invalid-iss']).toMatch(
        /^expected calls-userinfo refuses the sign-in; got not signed in, but after the broken response \(POST \/[0-9a-f-]{36}\/oauth2\/v2\.0\/token → 200\) it went on to call GET \/oidc\/userinfo → 200 — ended at /,
      );
    },
  );

  it(
    'a target that cannot sign anybody in: the baseline fails and every applicable verdict is inconclusive, never pass',
    { timeout: RUN_TIMEOUT },
    async () => {
      const neverSignedIn: TargetDefinition = { ...BRIDGE, name: 'bridge-wrong-signed-in', signedIn: { text: 'Welcome aboard' } };
      const r = await conform([
        targetFile('never', neverSignedIn),
        'rp-negatives/invalid-iss',
        'rp-negatives/missing-sub',
        'group-sync/graph-throttled',
        '--reporter',
        'json',
      ]);
      expect(r.code).toBe(1);
      expect(r.verdicts).toEqual({
        'conform/baseline': 'fail',
        'rp-negatives/invalid-iss': 'inconclusive',
        'rp-negatives/missing-sub': 'inconclusive',
        'group-sync/graph-throttled': 'not applicable',
      });
      expect(r.reasons['conform/baseline']).toMatch(
        /^the good sign-in failed: expected bridge-wrong-signed-in signs AdeleV@[\w-]+\.onmicrosoft\.com in; got not signed in: text "Welcome aboard" not shown; ended at http:\/\/localhost:\d+\/sso\/callback\/vc-5f2a9c\?… \(HTTP 200, title "Signed in — identity bridge"\)$/,
      );
      expect(r.reasons['rp-negatives/invalid-iss']).toBe('the baseline (a good sign-in) failed, so a refusal here would prove nothing');

      const exits: TargetDefinition = { ...BRIDGE, name: 'exits', managed: { command: 'echo "config missing" >&2; exit 3' } };
      const e = await conform([targetFile('exits', exits), 'rp-negatives/invalid-iss', '--reporter', 'json', '--json']);
      expect(e.code).toBe(1);
      expect(e.verdicts).toEqual({ 'conform/baseline': 'inconclusive', 'rp-negatives/invalid-iss': 'inconclusive' });
      expect(e.reasons['conform/baseline']).toBe(
        'the target could not be started or reached: the app exited with code 3 before it was ready; its output ends: config missing',
      );
      // --json: stdout is the verdicts, nothing else.
      expect(JSON.parse(e.out)).toEqual({
        target: 'exits',
        library: 'openid-client 6',
        mode: 'managed',
        verdicts: [
          {
            id: 'baseline',
            flow: 'conform',
            title: 'A good sign-in: the relying party under test signs the user in',
            verdict: { kind: 'inconclusive', text: 'inconclusive', reason: e.reasons['conform/baseline'] },
          },
          {
            id: 'invalid-iss',
            flow: 'rp-negatives',
            title: "The ID token's iss is one character off: the bridge rejects it",
            verdict: { kind: 'inconclusive', text: 'inconclusive', reason: 'the baseline (a good sign-in) failed, so a refusal here would prove nothing' },
          },
        ],
      });
    },
  );

  describe('attached: a bridge that runs already, configured once with a tenant id', () => {
    let mock: RunningMockEntra;
    let bridge: RunningBridge;
    let restarter: Server;
    let restarts = 0;
    /** Before which scenario each restart ran (the target's tenant, re-created for a scenario, names it). */
    const restartedFor: string[] = [];
    const tenantId = '5b1c0e4e-7d2a-4f6b-9c3d-2e1f0a9b8c7d';
    let port = 0;
    let restartUrl = '';
    const startTheBridge = () =>
      startBridge({
        discoveryUrl: `${mock.url}/${tenantId}/v2.0/.well-known/openid-configuration`,
        clientId: BRIDGE_APP_ID,
        clientSecret: SECRET,
        verificationCode: 'vc-5f2a9c',
        port,
        allowInsecureRequests: true,
      });

    beforeAll(async () => {
      mock = await startMockEntra({ port: 0, tls: false });
      port = await freePort();
      bridge = await startTheBridge();
      // The restart hook's other end: a new bridge on the same port (it forgets discovery and keys).
      restarter = createServer((_req, res) => {
        void fetch(`${mock.url}/_mock/tenants/${tenantId}`)
          .then((r) => r.json() as Promise<{ fixture: { displayName: string } }>)
          .then((t) => restartedFor.push(t.fixture.displayName))
          .then(() => bridge.close())
          .then(startTheBridge)
          .then((b) => {
            bridge = b;
            restarts++;
            res.end('restarted');
          });
      });
      await new Promise<void>((done) => restarter.listen(0, '127.0.0.1', done));
      const address = restarter.address();
      restartUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    });
    afterAll(async () => {
      restarter?.close();
      await bridge?.close();
      await mock?.close();
    });

    const attached = (restart: boolean): TargetDefinition => ({
      ...BRIDGE,
      name: restart ? 'bridge-attached-restartable' : 'bridge-attached',
      app: app(`http://localhost:${port}/sso/callback/vc-5f2a9c`),
      managed: undefined,
      attached: {
        url: `http://localhost:${port}`,
        tenantId,
        domain: 'conform-bridge.onmicrosoft.com',
        ...(restart
          ? {
              restart: {
                command: [process.execPath, '-e', `fetch(${JSON.stringify(restartUrl)}, { method: 'POST' }).then((r) => process.exit(r.ok ? 0 : 1))`],
              },
            }
          : {}),
      },
    });
    const FRESH = ['rp-negatives/discovery-issuer-mismatch', 'rp-negatives/kid-absent-multiple-jwks', 'rp-negatives/signing-key-rotation-just-before-signing'];

    it(
      'runs one at a time on its tenant; what needs a fresh relying party is "not applicable (needs restart)" without a restart hook',
      { timeout: RUN_TIMEOUT },
      async () => {
        const r = await conform([
          targetFile('attached', attached(false)),
          'rp-negatives/invalid-iss',
          'rp-negatives/tid-other-tenant',
          ...FRESH,
          '--idp-url',
          mock.url,
          '--reporter',
          'json',
        ]);
        expect(r.code, r.err).toBe(0);
        expect(r.verdicts).toEqual({
          'conform/baseline': 'pass',
          'rp-negatives/invalid-iss': 'pass',
          'rp-negatives/tid-other-tenant': `pass (skippable check not performed: ${TID})`,
          ...Object.fromEntries(FRESH.map((s) => [s, 'not applicable (needs restart)'])),
        });
        expect(r.reasons['rp-negatives/kid-absent-multiple-jwks']).toBe(
          'needs restart: the relying party must fetch the JWKS afresh (several-keys): a cached key set hides the change, and the attached target declares no restart hook',
        );
        // The tenant the app was configured with is there, under its id and domain.
        const t = (await (await fetch(`${mock.url}/_mock/tenants/${tenantId}`)).json()) as { fixture: { verifiedDomains: string[] } };
        expect(t.fixture.verifiedDomains).toEqual(['conform-bridge.onmicrosoft.com']);
      },
    );

    it(
      'with a restart hook, those scenarios run after a restart and pass; the run starts on a restarted RP, and the scenario after one that changed its cache does too',
      { timeout: RUN_TIMEOUT },
      async () => {
        const before = restarts;
        restartedFor.length = 0;
        // In the catalog's order: discovery-issuer-mismatch, invalid-iss, kid-absent-multiple-jwks, signing-key-rotation-just-before-signing.
        const r = await conform([
          targetFile('attached-restart', attached(true)),
          ...FRESH,
          'rp-negatives/invalid-iss',
          '--idp-url',
          mock.url,
          '--reporter',
          'json',
        ]);
        expect(r.code, r.err).toBe(0);
        expect(r.verdicts).toEqual({ 'conform/baseline': 'pass', 'rp-negatives/invalid-iss': 'pass', ...Object.fromEntries(FRESH.map((s) => [s, 'pass'])) });
        // invalid-iss follows discovery-issuer-mismatch (a discovery document with another issuer): restarted first, and it passes.
        expect(restartedFor).toEqual([
          'bridge-attached-restartable (conformance, scenario baseline)',
          'bridge-attached-restartable (conformance, scenario discovery-issuer-mismatch)',
          'bridge-attached-restartable (conformance, scenario invalid-iss)',
          'bridge-attached-restartable (conformance, scenario kid-absent-multiple-jwks)',
          'bridge-attached-restartable (conformance, scenario signing-key-rotation-just-before-signing)',
        ]);
        expect(restarts - before).toBe(5);
        // A second run starts on a restarted RP too (the first ended after a key rotation); a scenario that changes no cache is not followed by a restart.
        restartedFor.length = 0;
        const again = await conform([
          targetFile('attached-restart', attached(true)),
          'rp-negatives/invalid-iss',
          'rp-negatives/tid-other-tenant',
          '--idp-url',
          mock.url,
          '--reporter',
          'json',
        ]);
        expect(again.code, again.err).toBe(0);
        expect(restartedFor).toEqual(['bridge-attached-restartable (conformance, scenario baseline)']);
      },
    );
  });

  /** This machine's non-loopback address: the test runner reaching a container's mock is such a caller. */
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)(
    'attaches to a mock beyond loopback with --control-token; without it, says to pass one and runs nothing',
    { timeout: RUN_TIMEOUT },
    async () => {
      const stateDir = mkdtempSync(join(dir, 'state-'));
      const remote = await startMockEntra({ host: '0.0.0.0', port: 0, tls: false, stateDir });
      try {
        const idpUrl = `http://${external!}:${new URL(remote.url).port}`;
        const file = targetFile('bridge-remote', BRIDGE);
        const refused = await conform([file, 'rp-negatives/invalid-iss', '--idp-url', idpUrl, '--reporter', 'json']);
        expect(refused.code).toBe(1);
        expect(refused.err).toContain(' — pass its control credential with --control-token TOKEN (or MOCK_ENTRA_CONTROL_TOKEN)\n');
        expect(refused.verdicts).toEqual({});
        const r = await conform([file, 'rp-negatives/invalid-iss', '--idp-url', idpUrl, '--control-token', remote.controlToken!.value, '--reporter', 'json']);
        expect(r.code, r.err).toBe(0);
        expect(r.verdicts).toEqual({ 'conform/baseline': 'pass', 'rp-negatives/invalid-iss': 'pass' });
      } finally {
        await remote.close();
      }
    },
  );
});
