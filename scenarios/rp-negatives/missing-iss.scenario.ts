import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ID token has no iss: the bridge rejects it',
  reproduces: 'OIDC Core 2 (iss is required) and 3.1.3.7 (2); no OIDF module of its own (UNCONFIRMED). A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'iss-removed' }), browserLogin({ app: 'bridge', user: 'MeganB@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'id_token', error: /^OAUTH_INVALID_RESPONSE .*JWT "iss" \(issuer\) claim missing/ }), expectNoBridgeUser()],
});
