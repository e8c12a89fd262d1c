import { browserLogin, configureBridge, defineScenario, expectNoBridgeUser, expectRpRejects } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The scope openid left out: Entra returns no ID token, and the bridge cannot sign anybody in',
  reproduces: 'PingOne "Connect to Azure" step 10: the scopes selected without openid',
  steps: [configureBridge({ scopes: ['profile', 'email'] }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  // openid-client requires the token response's id_token when the flow is OpenID Connect.
  expect: [expectRpRejects({ phase: 'id_token', error: /"id_token" property must be a string/ }), expectNoBridgeUser()],
});
