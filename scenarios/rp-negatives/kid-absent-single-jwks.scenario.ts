import { browserLogin, defineScenario, expectRpAccepts, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ID token has no kid and the JWKS lists one key: the bridge verifies it with that key and signs the user in',
  reproduces: 'OIDF oidcc-client-test-kid-absent-single-jwks; OIDC Core 10.1: kid may be omitted when one key is published. A correct RP accepts the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'kid-absent' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpAccepts({
      user: 'AdeleV@contoso.onmicrosoft.com',
      skippable: false,
      because: 'OIDC Core 10.1: without kid, the only published key is the one to use',
    }),
  ],
});
