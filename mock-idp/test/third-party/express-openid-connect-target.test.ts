import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/index.js';
import { pairwiseSubject } from '../../src/tokens/subject.js';
import { loadTargetFile, signInToTarget, startTargetTestBed, type LoadedTargetFile, type TargetTestBed } from './support/target-file.js';

/**
 * examples/targets/express-openid-connect/target.yaml is right: `node app.js` started exactly as
 * its `managed` block says (the file's env, NODE_EXTRA_CA_CERTS the mock's CA, a fresh tenant
 * holding the file's `app`), the app signs Adele in through the mock's sign-in page in Chromium
 * and both `signedIn` checks hold — the final page is /profile and the identity endpoint answers
 * her claims as JSON with the browser's cookies; with `nonce-near-miss` queued neither holds and
 * the refusal is a 400, not a 5xx. (express-openid-connect.test.ts covers every mutation.)
 */

const FILE = new URL('../../../examples/targets/express-openid-connect/target.yaml', import.meta.url).pathname;

let bed: TargetTestBed;
let loaded: LoadedTargetFile;

describe('the express-openid-connect target file', () => {
  beforeAll(async () => {
    loaded = await loadTargetFile(FILE);
    bed = await startTargetTestBed();
  }, 60_000);
  afterAll(async () => bed?.close());

  it('signs Adele in: the final page is /profile and the identity endpoint returns her claims', async () => {
    const r = await signInToTarget(bed, loaded);
    try {
      const appId = loaded.target.app.appId;
      expect(r.checks.url).toBe(true);
      expect(r.checks.identity?.status).toBe(200);
      expect(r.checks.identity?.json).toMatchObject({
        sub: pairwiseSubject(r.tenant.tenantId, appId, r.tenant.ids.adele),
        oid: r.tenant.ids.adele,
        tid: r.tenant.tenantId,
        preferred_username: r.upn,
        name: 'Adele Vance',
        email: CONTOSO.users.adele.mail,
      });
      expect(r.page.url()).toBe(`${r.app.url}/profile`);
      // Discovery, the sign-in, consent for the new app, the code redeemed; no JWKS (code flow).
      expect(r.wire).toEqual(['GET discovery.v2 200 -', 'GET authorize.v2 200 -', 'POST authorize.v2 200 -', 'POST authorize.v2 302 -', 'POST token.v2 200 -']);
    } finally {
      await r.close();
    }
  });

  it('refuses an ID token with nonce-near-miss: 400 at /callback, neither signedIn check holds', async () => {
    const r = await signInToTarget(bed, loaded, 'nonce-near-miss');
    try {
      expect(r.checks.url).toBe(false);
      // No session: /profile sends the browser to the mock again.
      expect(r.checks.identity).toEqual({ status: 302, json: null });
      expect(new URL(r.page.url()).pathname).toBe('/callback');
      expect(r.navigations.at(-1)?.status).toBe(400);
      expect(JSON.parse((await r.page.textContent('body')) ?? '')).toEqual({
        error: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
        error_description: 'unexpected JWT claim value encountered',
      });
      expect(r.wire.at(-1)).toBe('POST token.v2 200 nonce-near-miss');
      expect(r.app.exited()).toBe(false);
    } finally {
      await r.close();
    }
  });
});
