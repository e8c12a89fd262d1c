import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The discovery document's issuer is one character off: the bridge signs nobody in, refusing the ID token whose iss does not match it",
  reproduces:
    'OIDF oidcc-client-test-discovery-issuer-mismatch (rp-discovery-issuer-not-matching-config); OpenID Connect Discovery 4.3: issuer must be the URL the document was fetched under. A correct RP refuses the provider. The bridge is given the whole metadata URL, for which openid-client skips that comparison, so it refuses at the ID token (iss ≠ the discovered issuer)',
  steps: [mutateNext({ target: 'discovery', kind: 'issuer-near-miss' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_JWT_CLAIM_COMPARISON_FAILED .*unexpected JWT "iss" \(issuer\) claim value/ }),
    expectNoBridgeUser(),
  ],
});
