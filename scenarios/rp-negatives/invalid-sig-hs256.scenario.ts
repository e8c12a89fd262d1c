import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext, SKIPPABLE } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ID token is HS256-signed with the public key as the secret: the bridge rejects it',
  reproduces:
    'OIDF oidcc-client-test-invalid-sig-hs256; the RS/HS key-confusion attack (CVE-2015-9235). A correct RP rejects the ID token (alg not the registered RS256)',
  steps: [mutateNext({ target: 'id_token', kind: 'alg-hs256' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({
      phase: 'id_token',
      error: /^OAUTH_INVALID_RESPONSE .*unexpected JWT "alg" header parameter.*"alg":"HS256"/,
      skippable: SKIPPABLE.idTokenSignature,
    }),
    expectNoBridgeUser(),
  ],
});
