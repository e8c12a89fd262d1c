import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext, SKIPPABLE } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ID token has no kid and the JWKS lists several keys: the bridge rejects it',
  reproduces:
    'OIDF oidcc-client-test-kid-absent-multiple-jwks; OIDC Core 10.1: kid is required when several keys could verify. A correct RP rejects the ID token (it cannot tell which key)',
  steps: [
    mutateNext({ target: 'jwks', kind: 'several-keys', count: 5 }),
    mutateNext({ target: 'id_token', kind: 'kid-absent' }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    expectRpRejects({
      phase: 'id_token',
      error: /^OAUTH_KEY_SELECTION_FAILED .*multiple applicable keys found, a "kid" JWT Header Parameter is required/,
      skippable: SKIPPABLE.idTokenSignature,
    }),
    expectNoBridgeUser(),
  ],
});
