import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's iss names another tenant while its tid names this one: the bridge rejects it",
  reproduces:
    'OIDF oidcc-client-test-invalid-iss with an Entra near-miss: iss and tid naming different tenants (access-tokens doc, "Validate the issuer"). A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'iss-other-tenant' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_JWT_CLAIM_COMPARISON_FAILED .*unexpected JWT "iss" \(issuer\) claim value/ }),
    expectNoBridgeUser(),
  ],
});
