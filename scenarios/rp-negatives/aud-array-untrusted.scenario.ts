import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's aud is an array holding the bridge and an audience it does not trust, without azp: the bridge rejects it",
  reproduces:
    'OIDC Core 3.1.3.7 (3): the RP MUST reject the ID token if it contains additional audiences not trusted by the client (Entra ID tokens carry no azp, 3.1.3.7 (4)–(5)); the aud cases of oidcc-client-test-invalid-aud. A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'aud-array' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_JWT_CLAIM_COMPARISON_FAILED .*"aud" \(audience\) claim includes additional untrusted audiences/ }),
    expectNoBridgeUser(),
  ],
});
