import { browserLogin, configureBridge, defineScenario, expectNoBridgeUser, expectRequests, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "Hybrid flow: the front-channel ID token's c_hash does not match the code: the bridge rejects it and never redeems the code",
  reproduces:
    'OIDF oidcc-client-test-invalid-chash (rp-id_token-bad-c_hash); OIDC Core 3.3.2.10–11: with response_type code id_token the client MUST validate the code against c_hash. A correct RP rejects the ID token and does not call the token endpoint',
  // The bridge app lets /authorize issue ID tokens (hybrid flow), as such an app is registered.
  tenant: { patch: [{ op: 'replace', path: '/applications/0/web/implicitGrantSettings/enableIdTokenIssuance', value: true }] },
  steps: [
    configureBridge({ responseType: 'code id_token' }),
    mutateNext({ target: 'id_token', kind: 'c_hash-altered' }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_JWT_CLAIM_COMPARISON_FAILED .*invalid ID Token "c_hash" \(code hash\) claim value/ }),
    expectNoBridgeUser(),
    expectRequests({ endpoint: 'token.v2', count: 0 }),
  ],
});
