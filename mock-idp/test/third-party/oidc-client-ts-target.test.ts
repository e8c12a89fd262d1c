import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTargetFile, signInToTarget, startTargetTestBed, type LoadedTargetFile, type TargetTestBed } from './support/target-file.js';

/**
 * examples/targets/oidc-client-ts-spa/target.yaml is right: serve.mjs started exactly as its
 * `managed` block says (the tenant's authority and the file's SPA app id, on a free port), a
 * person clicks "Sign in", signs in as Adele on the mock's page, and the `signedIn` selector
 * holds once oidc-client-ts redeemed the code from the page; with `nonce-near-miss` queued it
 * does not (oidc-client-ts's message instead). With `iss-near-miss` it holds: the target is known
 * to be wrong, which the conformance verdicts must show (oidc-client-ts.test.ts has every case).
 */

const FILE = new URL('../../../examples/targets/oidc-client-ts-spa/target.yaml', import.meta.url).pathname;

let bed: TargetTestBed;
let loaded: LoadedTargetFile;

describe('the oidc-client-ts SPA target file', () => {
  beforeAll(async () => {
    loaded = await loadTargetFile(FILE);
    bed = await startTargetTestBed();
  }, 60_000);
  afterAll(async () => bed?.close());

  it('signs Adele in: the page lists her claims and the signedIn selector holds', async () => {
    const r = await signInToTarget(bed, loaded);
    try {
      expect(r.checks).toEqual({ selector: true });
      expect(await r.page.title()).toBe('Signed in');
      expect(await r.page.textContent('#claim-preferred_username')).toBe(r.upn);
      expect(await r.page.textContent('#claim-oid')).toBe(r.tenant.ids.adele);
      expect(await r.page.textContent('#claim-aud')).toBe(loaded.target.app.appId);
      expect(await r.page.textContent('#claim-iss')).toBe(r.app.vars.MOCK_ENTRA_ISSUER);
      // Discovery, the sign-in, consent for the new app, the code redeemed by the page (no secret).
      expect(r.wire).toEqual(['GET discovery.v2 200 -', 'GET authorize.v2 200 -', 'POST authorize.v2 200 -', 'POST authorize.v2 302 -', 'POST token.v2 200 -']);
    } finally {
      await r.close();
    }
  });

  it('refuses an ID token with nonce-near-miss: the signedIn selector does not hold', async () => {
    const r = await signInToTarget(bed, loaded, 'nonce-near-miss');
    try {
      expect(r.checks).toEqual({ selector: false });
      expect(await r.page.title()).toBe('Sign-in failed');
      expect(await r.page.textContent('#error')).toBe('nonce in id_token does not match nonce in client storage');
      expect(r.navigations.every((n) => n.status < 500)).toBe(true);
      expect(r.wire.at(-1)).toBe('POST token.v2 200 nonce-near-miss');
    } finally {
      await r.close();
    }
  });

  it('KNOWN WRONG: the signedIn selector holds despite iss-near-miss (no iss check)', async () => {
    const r = await signInToTarget(bed, loaded, 'iss-near-miss');
    try {
      expect(r.checks).toEqual({ selector: true });
      expect(await r.page.textContent('#claim-iss')).toBe(`${r.app.vars.MOCK_ENTRA_ISSUER}1`);
    } finally {
      await r.close();
    }
  });
});
