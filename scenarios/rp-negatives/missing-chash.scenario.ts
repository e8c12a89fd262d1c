import { browserLogin, configureBridge, defineScenario, expectNoBridgeUser, expectRequests, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Hybrid flow: the front-channel ID token has no c_hash: the bridge rejects it and never redeems the code',
  reproduces:
    'OIDF oidcc-client-test-missing-chash; OIDC Core 3.3.2.11: c_hash is REQUIRED when the ID token comes from the authorization endpoint with a code (response_type code id_token). A correct RP rejects the ID token',
  tenant: { patch: [{ op: 'replace', path: '/applications/0/web/implicitGrantSettings/enableIdTokenIssuance', value: true }] },
  steps: [
    configureBridge({ responseType: 'code id_token' }),
    mutateNext({ target: 'id_token', kind: 'c_hash-removed' }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_INVALID_RESPONSE .*JWT "c_hash" \(code hash\) claim missing/ }),
    expectNoBridgeUser(),
    expectRequests({ endpoint: 'token.v2', count: 0 }),
  ],
});
