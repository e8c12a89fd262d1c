import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext, SKIPPABLE } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ID token is unsigned (alg none): the bridge rejects it',
  reproduces:
    'OIDF oidcc-client-test-idtoken-sig-none (rp-id_token-sig-none); OIDC Core 3.1.3.7 (7): alg must be the registered RS256. A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'alg-none' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({
      phase: 'id_token',
      error: /^OAUTH_INVALID_RESPONSE .*unexpected JWT "alg" header parameter.*"alg":"none"/,
      skippable: SKIPPABLE.idTokenSignature,
    }),
    expectNoBridgeUser(),
  ],
});
