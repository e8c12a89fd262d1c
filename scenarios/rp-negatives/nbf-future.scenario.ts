import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's nbf lies an hour in the future: the bridge rejects it as not yet valid",
  reproduces:
    'RFC 7519 4.1.5 (a JWT MUST NOT be accepted before nbf; Entra ID tokens carry nbf); OIDC Core 3.1.3.7 (9) bounds the token by time. No OIDF RP module; UNCONFIRMED whether every library checks nbf. A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'nbf-future', seconds: 3600 }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_JWT_TIMESTAMP_CHECK_FAILED .*unexpected JWT "nbf" \(not before\) claim value/ }),
    expectNoBridgeUser(),
  ],
});
