import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apacheInstalled } from './support/apache.js';
import { loadTargetFile, signInToTarget, startTargetTestBed, type LoadedTargetFile, type TargetSignIn, type TargetTestBed } from './support/target-file.js';

/**
 * examples/targets/apache-mod-auth-openidc/target.yaml is right: started exactly as its `managed`
 * block says (run.sh with the file's env, for a fresh tenant holding the file's `app`), Apache
 * with mod_auth_openidc signs Adele in through the mock's sign-in page in Chromium and every
 * `signedIn` check holds; with an ID token the module refuses (`nonce-near-miss`) none holds, and
 * the refusal is no 5xx — which is why the file sets no `refusal.serverErrorIsRefusal`. Then the
 * seven other defects it refuses, and the three it lets through (the README says so): an `aud`
 * array with an untrusted audience (wrong), `alg: none` and a future `nbf` (skippable).
 * (apache-mod-auth-openidc.test.ts drives httpd.conf directly: the wire, the client secret.)
 */

const FILE = new URL('../../../examples/targets/apache-mod-auth-openidc/target.yaml', import.meta.url).pathname;
const ALL_HOLD = { url: true, selector: true, text: true };
const NONE_HOLDS = { url: false, selector: false, text: false };

let bed: TargetTestBed;
let loaded: LoadedTargetFile;

/** mod_auth_openidc's error log of that instance (run.sh keeps it in RUN_DIR). */
const errorLog = (r: TargetSignIn) => readFile(join(r.app.vars.RUN_DIR!, 'error.log'), 'utf8');

async function withSignIn(mutation: string | undefined, check: (r: TargetSignIn) => Promise<void>): Promise<void> {
  const r = await signInToTarget(bed, loaded, mutation);
  try {
    await check(r);
  } finally {
    await r.close();
  }
}

describe.skipIf(!apacheInstalled('apache-mod-auth-openidc-target'))('the Apache mod_auth_openidc target file', () => {
  beforeAll(async () => {
    loaded = await loadTargetFile(FILE);
    bed = await startTargetTestBed();
  }, 60_000);
  afterAll(async () => bed?.close());

  it('names the Debian 12 package version it was proven with', async () => {
    expect(loaded.target.name).toBe('apache-mod-auth-openidc');
    expect(loaded.target.library).toBe('mod_auth_openidc 2.4.12.3 (Debian 12 libapache2-mod-auth-openidc 2.4.12.3-2+deb12u5)');
    expect(loaded.target.refusal).toBeUndefined();
  });

  it('signs Adele in: every signedIn check holds on the protected page', async () => {
    await withSignIn(undefined, async ({ page, checks, app, tenant, upn, wire }) => {
      expect(checks).toEqual(ALL_HOLD);
      expect(page.url()).toBe(`${app.url}/protected/`);
      expect(await page.title()).toBe('Signed in');
      expect(await page.textContent('#preferred_username')).toBe(upn);
      expect(await page.textContent('#oid')).toBe(tenant.ids.adele);
      expect(await page.textContent('#tid')).toBe(tenant.tenantId);
      // Discovery, the sign-in, consent for the new app, the code redeemed, keys, userinfo.
      expect(wire).toEqual([
        'GET discovery.v2 200 -',
        'GET authorize.v2 200 -',
        'POST authorize.v2 200 -',
        'POST authorize.v2 302 -',
        'POST token.v2 200 -',
        'GET jwks.v2 200 -',
        'GET graph.userinfo 200 -',
      ]);
    });
  });

  it('refuses an ID token with nonce-near-miss: no signedIn check holds, its error page answers 200', async () => {
    await withSignIn('nonce-near-miss', async (r) => {
      expect(r.checks).toEqual(NONE_HOLDS);
      expect(new URL(r.page.url()).pathname).toBe('/protected/redirect_uri');
      expect(r.navigations.at(-1)?.status).toBe(200);
      expect(r.navigations.every((n) => n.status < 500)).toBe(true);
      expect(await r.page.title()).toBe('Error');
      expect(await r.page.textContent('body')).toContain('OpenID Connect Provider error: Error in handling response type.');
      // The token was refused before any use of it: no userinfo call.
      expect(r.wire.slice(-2)).toEqual(['POST token.v2 200 nonce-near-miss', 'GET jwks.v2 200 -']);
      const log = await errorLog(r);
      expect(log).toContain('oidc_proto_validate_nonce: the nonce value');
      expect(log).toContain('oidc_proto_parse_idtoken: id_token payload could not be validated, aborting');
      expect(r.app.exited()).toBe(false);
    });
  });

  /**
   * The other ID token defects it refuses the same way (200, its error page, no userinfo call),
   * each with the reason mod_auth_openidc writes to the error log.
   */
  it.each([
    ['iss-near-miss', 'oidc_proto_validate_jwt: requested issuer (${ISSUER}) does not match received "iss" value in id_token (${ISSUER}1)'],
    ['aud-near-miss', 'oidc_proto_validate_aud_and_azp: the configured client_id (${CLIENT}) did not match the "aud" claim value (${CLIENT}1) in the id_token'],
    ['exp-past', 'oidc_proto_validate_exp: "exp" validation failure'],
    ['iat-removed', 'oidc_proto_validate_iat: JWT did not contain an "iat" number value'],
    ['sub-removed', 'oidc_proto_validate_idtoken: id_token JSON payload did not contain the required-by-spec "sub" string value'],
    ['sig-xor', 'oidc_proto_jwt_verify: JWT signature verification failed'],
    [
      'kid-unknown',
      'oidc_proto_jwt_verify: JWT signature verification failed: [src/jose.c:994: oidc_jwt_verify]: could not find key with kid: mock-entra-unpublished-kid',
    ],
  ])('refuses an ID token with %s: its error page, the reason in the error log', async (kind, reason) => {
    await withSignIn(kind, async (r) => {
      expect(r.checks).toEqual(NONE_HOLDS);
      expect(r.navigations.at(-1)?.status).toBe(200);
      expect(await r.page.title()).toBe('Error');
      expect(r.wire.slice(-2)).toEqual([`POST token.v2 200 ${kind}`, 'GET jwks.v2 200 -']);
      const expected = reason.replaceAll('${ISSUER}', r.app.vars.MOCK_ENTRA_ISSUER!).replaceAll('${CLIENT}', loaded.target.app.appId);
      expect(await errorLog(r)).toContain(expected);
    });
  });

  // Accepted by mod_auth_openidc 2.4.12.3 and wrong (observed): an aud array holding the client
  // and an audience it does not trust, without azp — OIDC Core 3.1.3.7 (3) says MUST reject.
  it('KNOWN WRONG: signs Adele in despite aud-array (an untrusted second audience, no azp)', async () => {
    await withSignIn('aud-array', async ({ checks, wire }) => {
      expect(checks).toEqual(ALL_HOLD);
      expect(wire.slice(-3)).toEqual(['POST token.v2 200 aud-array', 'GET jwks.v2 200 -', 'GET graph.userinfo 200 -']);
    });
  });

  // Accepted by mod_auth_openidc 2.4.12.3 (observed): an unsigned ID token from the token
  // endpoint — it never fetches the JWKS; OIDC Core 3.1.3.7 (6) lets a code-flow client skip the
  // signature and (7) says alg SHOULD be the registered RS256 — and an nbf an hour ahead, which
  // 3.1.3.7 does not list (RFC 7519 4.1.5 does). The conformance verdicts call both skippable.
  it.each([
    ['alg-none', ['POST token.v2 200 alg-none', 'GET graph.userinfo 200 -']],
    ['nbf-future', ['POST token.v2 200 nbf-future', 'GET jwks.v2 200 -', 'GET graph.userinfo 200 -']],
  ])('signs Adele in despite %s (a check the code flow may skip)', async (kind, tail) => {
    await withSignIn(kind, async ({ checks, wire }) => {
      expect(checks).toEqual(ALL_HOLD);
      expect(wire.slice(-tail.length)).toEqual(tail);
    });
  });
});
