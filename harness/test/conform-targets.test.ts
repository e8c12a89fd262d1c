import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../mock-idp/src/testing.js';
import { apacheInstalled } from '../../mock-idp/test/third-party/support/apache.js';
import {
  currentVerdictMatrix,
  matrixCell,
  MATRIX_TARGETS,
  readTargetResults,
  verdictMatrix,
  type MatrixCell,
  type TargetResults,
} from '../src/conform/verdict-matrix.js';
import { DEFAULT_SCENARIOS_DIR, loadScenarios } from '../src/index.js';

/**
 * The four conformance targets of examples/targets/ — Apache httpd + mod_auth_openidc, an
 * express-openid-connect app, a single-page app on oidc-client-ts (known to be wrong), the
 * reference bridge — each run by `mock-entra conform` as a user runs it (the CLI, managed mode,
 * the engine's default concurrency) over the whole catalog, every verdict asserted: scenario →
 * PASS / PASS (skippable) / FAIL, every other scenario not applicable, and each failure's
 * explanation naming the check the relying party misses. Each run writes
 * reports/conform/<target>/results.json, from which the README's verdict matrix is generated
 * (npm run docs:verdicts); the last test holds the README to it.
 *
 * Needs Chromium, and Apache with mod_auth_openidc for that target — skipped without them except
 * in CI (.ci/run installs them) — and the built package for the bridge's target (serve.mjs imports
 * mock-entra/harness: `npm run build`; `npm ci` builds it).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** One target over the catalog: about 1.5 to 2.5 minutes on two busy cores. */
const RUN_TIMEOUT = 600_000;

const chromium = findChromium() !== undefined || existsSync('/usr/bin/chromium');
if (!chromium && process.env.CI) throw new Error('CI: Chromium is missing (/usr/bin/chromium); the conformance targets need it');
if (!chromium) console.warn('conform-targets: skipped — no Chromium (apt-get install chromium)');
const apache = chromium && apacheInstalled('conform-targets (apache-mod-auth-openidc)');

const P = 'PASS';
const S = 'PASS (skippable)';
const F = 'FAIL';

/** Every scenario that applies to a web app with a client secret (all but the SPA see these). */
const WEB_APP = [
  'conform/baseline',
  'real-world/clock-ahead',
  'rp-negatives/aud-array-untrusted',
  'rp-negatives/discovery-issuer-mismatch',
  'rp-negatives/expired-id-token',
  'rp-negatives/iat-week-old',
  'rp-negatives/idtoken-sig-none',
  'rp-negatives/invalid-aud',
  'rp-negatives/invalid-iss',
  'rp-negatives/invalid-nonce',
  'rp-negatives/invalid-sig-hs256',
  'rp-negatives/invalid-sig-rs256',
  'rp-negatives/iss-other-tenant',
  'rp-negatives/kid-absent-multiple-jwks',
  'rp-negatives/kid-absent-single-jwks',
  'rp-negatives/missing-aud',
  'rp-negatives/missing-iat',
  'rp-negatives/missing-iss',
  'rp-negatives/missing-nonce',
  'rp-negatives/missing-sub',
  'rp-negatives/nbf-future',
  'rp-negatives/signing-key-rotation',
  'rp-negatives/signing-key-rotation-just-before-signing',
  'rp-negatives/tid-other-tenant',
  'seed-pingone/consent-declined',
  'seed-pingone/no-redirect-uri',
  'seed-pingone/redirect-uri-registered-as-public-client',
  'seed-pingone/redirect-uri-registered-as-spa',
  'seed-pingone/redirect-uri-trailing-slash',
  'sso/id-token-clock-skew',
  'sso/redirect-uri-mismatch',
];
const allPass = (ids: string[]): Record<string, MatrixCell> => Object.fromEntries(ids.map((s) => [s, P]));

/** What each target must get for every applicable scenario (everything else: not applicable). */
const EXPECTED: Record<(typeof MATRIX_TARGETS)[number], Record<string, MatrixCell>> = {
  // mod_auth_openidc 2.4.12.3: everything a code-flow RP must check, but not an untrusted second audience.
  'apache-mod-auth-openidc': {
    ...allPass(WEB_APP),
    'rp-negatives/aud-array-untrusted': F,
    'rp-negatives/idtoken-sig-none': S,
    'rp-negatives/kid-absent-multiple-jwks': S,
    'rp-negatives/nbf-future': S,
    'rp-negatives/tid-other-tenant': S,
  },
  // express-openid-connect 3.4.0: no signature check in the code flow (allowed), so no JWKS fetched.
  'express-openid-connect': {
    ...allPass(WEB_APP),
    'rp-negatives/discovery-issuer-mismatch': F,
    'rp-negatives/iat-week-old': S,
    'rp-negatives/invalid-sig-rs256': S,
    'rp-negatives/kid-absent-multiple-jwks': S,
    'rp-negatives/signing-key-rotation': S,
    'rp-negatives/tid-other-tenant': S,
  },
  // oidc-client-ts 3.5.0 (an SPA: the Web-app registration scenarios do not apply): sub and nonce checked, nothing else.
  'oidc-client-ts-spa': {
    'conform/baseline': P,
    'real-world/clock-ahead': S,
    'rp-negatives/aud-array-untrusted': F,
    'rp-negatives/discovery-issuer-mismatch': F,
    'rp-negatives/expired-id-token': F,
    'rp-negatives/iat-week-old': S,
    'rp-negatives/idtoken-sig-none': S,
    'rp-negatives/invalid-aud': F,
    'rp-negatives/invalid-iss': F,
    'rp-negatives/invalid-nonce': P,
    'rp-negatives/invalid-sig-hs256': S,
    'rp-negatives/invalid-sig-rs256': S,
    'rp-negatives/iss-other-tenant': F,
    'rp-negatives/kid-absent-multiple-jwks': S,
    'rp-negatives/kid-absent-single-jwks': P,
    'rp-negatives/missing-aud': F,
    'rp-negatives/missing-iat': F,
    'rp-negatives/missing-iss': F,
    'rp-negatives/missing-nonce': P,
    'rp-negatives/missing-sub': P,
    'rp-negatives/nbf-future': S,
    'rp-negatives/signing-key-rotation': S,
    'rp-negatives/signing-key-rotation-just-before-signing': P,
    'rp-negatives/tid-other-tenant': S,
    'seed-pingone/consent-declined': P,
    'sso/id-token-clock-skew': F,
  },
  // The reference bridge (openid-client 6, every check on).
  bridge: { ...allPass(WEB_APP), 'rp-negatives/iat-week-old': S, 'rp-negatives/tid-other-tenant': S },
};

/** The SPA's five Web-app scenarios: not applicable, each with why. */
const SPA_NOT_WEB = {
  'seed-pingone/no-redirect-uri':
    "the scenario changes the app registration's /web/redirectUris (replace /applications/0/web/redirectUris), and the target's registration has no /web/redirectUris",
  'seed-pingone/redirect-uri-registered-as-spa':
    "needs a Web app's redirect URIs, and the target's registration has none (the scenario is about a server-side app)",
};

function conform(target: string): Promise<{ code: number | null; err: string; results: TargetResults }> {
  const out = join(ROOT, 'reports', 'conform', target);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'conform', `examples/targets/${target}/target.yaml`, '--reporter', 'json', '--out', out],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', MOCK_ENTRA_IDP_URL: '' } },
    );
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve({ code, err, results: readTargetResults(join(out, 'results.json')) });
      } catch (e) {
        reject(new Error(`${(e as Error).message}\n${err}`));
      }
    });
  });
}

const scenarios = await loadScenarios({ dir: DEFAULT_SCENARIOS_DIR, filters: [] });
const reproduces = new Map(scenarios.map((s) => [`${s.flow}/${s.id}`, s.reproduces]));
const runs = new Map<string, TargetResults>();

describe.skipIf(!chromium)('the four conformance targets over the whole catalog (managed)', () => {
  for (const target of MATRIX_TARGETS) {
    const skip = target === 'apache-mod-auth-openidc' && !apache;
    it.skipIf(skip)(`${target}: every verdict as expected, each failure naming the missing check`, { timeout: RUN_TIMEOUT }, async () => {
      if (target === 'bridge' && !existsSync(join(ROOT, 'dist', 'harness', 'src', 'index.js')))
        throw new Error('the bridge target runs the built package (examples/targets/bridge/serve.mjs imports mock-entra/harness): run npm run build');
      const { code, err, results } = await conform(target);
      runs.set(target, results);
      const cells = Object.fromEntries(results.verdicts.filter((v) => v.kind !== 'not-applicable').map((v) => [v.scenario, matrixCell(v)]));
      expect(cells, err).toEqual(EXPECTED[target]);
      // Every scenario of the catalog has a verdict; the rest are not applicable.
      expect(results.verdicts.map((v) => v.scenario).sort()).toEqual(['conform/baseline', ...reproduces.keys()].sort());
      expect(code).toBe(Object.values(EXPECTED[target]).includes(F) ? 1 : 0);
      for (const v of results.verdicts.filter((x) => x.kind === 'fail')) {
        if (target === 'express-openid-connect' && v.scenario === 'rp-negatives/discovery-issuer-mismatch') {
          // express-openid-connect answers the discovery document it refuses with HTTP 500 (its error carries no status): not a refusal.
          expect(v.reason).toMatch(
            /^expected express-openid-connect refuses the sign-in; got not signed in, but answered HTTP 500 — a server error is not a refusal \(declare refusal\.serverErrorIsRefusal if it is this app's way of refusing\) — ended at http:\/\/localhost:\d+\/profile \(HTTP 500\)/,
          );
          continue;
        }
        // Accepted: the reason names what was broken and the check (the scenario's `reproduces`: the rule it breaks).
        expect(v.reason, v.scenario).toMatch(/^accepted the sign-in although /);
        expect(v.reason, v.scenario).toContain(` — the relying party misses the check: ${reproduces.get(v.scenario)}. Seen: accepted: signed in (`);
      }
      if (target === 'oidc-client-ts-spa') {
        const reasons = Object.fromEntries(results.verdicts.map((v) => [v.scenario, v.reason]));
        for (const [s, why] of Object.entries(SPA_NOT_WEB)) expect(reasons[s], s).toBe(why);
        expect(reasons['rp-negatives/invalid-iss']).toMatch(
          /^accepted the sign-in although the ID token's iss is one character off \(the next id_token response gets iss-near-miss\) — the relying party misses the check: OIDF oidcc-client-test-invalid-iss \(rp-id_token-issuer-mismatch\); OIDC Core 3\.1\.3\.7 \(2\): iss must exactly match the issuer/,
        );
      }
    });
  }

  it.skipIf(!apache)('the README shows the verdict matrix of these runs (else: npm run docs:verdicts)', () => {
    if (runs.size !== MATRIX_TARGETS.length) throw new Error(`only ${[...runs.keys()].join(', ')} ran: the matrix needs all four`);
    const generated = verdictMatrix(MATRIX_TARGETS.map((t) => runs.get(t)!));
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(currentVerdictMatrix(readme), "the README's verdict matrix is not the last run's: run npm run docs:verdicts").toBe(generated);
  });
});
