import { browserLogin, defineScenario, expectRequests, expectRpAccepts, rotateSigningKey, SKIPPABLE } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Entra rotates its signing key after a first sign-in: on the unknown kid the bridge fetches the JWKS again and signs the next user in',
  reproduces:
    'OIDF oidcc-client-test-signing-key-rotation (rp-key-rotation-op-sign-key); OIDC Core 10.1.1: on an unfamiliar kid the verifier goes back to the jwks_uri; signing-key rollover doc. A correct RP accepts the second ID token',
  steps: [
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
    rotateSigningKey(),
    browserLogin({ app: 'bridge', user: 'AlexW@contoso.onmicrosoft.com' }),
  ],
  expect: [
    expectRpAccepts({
      user: 'AlexW@contoso.onmicrosoft.com',
      skippable: false,
      because: 'OIDC Core 10.1.1: the keys cached at the first sign-in lack the new kid; the verifier must fetch them again',
    }),
    // Once for the first sign-in, once more for the unknown kid — by an RP that verifies signatures
    // (a target that trusts TLS in their place, OIDC Core 3.1.3.7 (6), fetches none).
    expectRequests({ endpoint: 'jwks.v2', count: 2, skippable: SKIPPABLE.idTokenSignature }),
  ],
});
