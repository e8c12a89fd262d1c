import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext, SKIPPABLE } from '../../harness/src/index.js';

export default defineScenario({
  title: "Every byte of the ID token's RS256 signature is flipped: the bridge, which checks signatures, rejects it",
  reproduces:
    "OIDF oidcc-client-test-invalid-sig-rs256 (rp-id_token-bad-sig-rs256). A correct RP that checks the signature rejects; OIDC Core 3.1.3.7 (6) lets an RP skip it for a token from the token endpoint over TLS, but the bridge enables openid-client's non-repudiation checks",
  steps: [mutateNext({ target: 'id_token', kind: 'sig-xor' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({ phase: 'id_token', error: /^OAUTH_INVALID_RESPONSE .*JWT signature verification failed/, skippable: SKIPPABLE.idTokenSignature }),
    expectNoBridgeUser(),
  ],
});
