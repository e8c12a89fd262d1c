import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's nbf lies an hour in the future: the bridge rejects it as not yet valid",
  reproduces:
    'RFC 7519 4.1.5 (a JWT MUST NOT be accepted for processing before nbf; Entra ID tokens carry nbf). OIDC Core 3.1.3.7 checks exp (9) and iat (10) but not nbf, and no OIDF RP module covers it: an RP honouring nbf rejects the ID token, one that skips it may accept',
  steps: [mutateNext({ target: 'id_token', kind: 'nbf-future', seconds: 3600 }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({
      phase: 'id_token',
      error: /^OAUTH_JWT_TIMESTAMP_CHECK_FAILED .*unexpected JWT "nbf" \(not before\) claim value/,
      skippable: 'OIDC Core 3.1.3.7 does not list nbf among the ID token checks (RFC 7519 4.1.5 asks a JWT processor to honour it)',
    }),
    expectNoBridgeUser(),
  ],
});
