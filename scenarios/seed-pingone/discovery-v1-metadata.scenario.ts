import { browserLogin, configureBridgeDiscovery, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title:
    'The v1 metadata document as Discovery Endpoint: the sign-in works, but the v1 ID token has no preferred_username or email, so those attributes stay empty',
  reproduces: 'PingOne "Connect to Azure" step 7.2: the v1 "OpenID Connect metadata document" (no /v2.0) copied; step 16 maps username ← preferred_username',
  steps: [configureBridgeDiscovery({ version: 'v1' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', attributes: { username: null, email: null, name: 'Adele Vance' } })],
});
