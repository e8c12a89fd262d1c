import { browserLogin, defineScenario, expectRpAccepts, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Entra rotates its signing key just before signing the ID token: the bridge verifies it with the newly published key and signs the user in',
  reproduces:
    'OIDF oidcc-client-test-signing-key-rotation-just-before-signing (rp-key-rotation-op-sign-key); signing-key rollover doc. A correct RP fetches the JWKS that lists the new key and accepts. (A JWKS openid-client cached under 60 s earlier is not refetched: see the README)',
  steps: [mutateNext({ target: 'jwks', kind: 'rotate-before-signing' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpAccepts({
      user: 'AdeleV@contoso.onmicrosoft.com',
      skippable: false,
      because: 'OIDC Core 10.1.1: on an unfamiliar kid the verifier goes back to the jwks_uri for the keys',
    }),
  ],
});
