import { browserLogin, configureBridge, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'username mapped to the upn claim: a v2.0 ID token has no upn, so every user is provisioned with an empty username',
  reproduces: 'PingOne "Connect to Azure" step 16: the attribute mapping username ← upn (a v1.0 claim) instead of preferred_username',
  steps: [
    configureBridge({ attributeMapping: { subject: 'oid', username: 'upn', email: 'email', name: 'name' } }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', attributes: { username: null, email: 'AdeleV@contoso.com', name: 'Adele Vance' } })],
});
