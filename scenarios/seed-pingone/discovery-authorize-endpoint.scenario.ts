import { bridgeVerify, configureBridgeDiscovery, defineScenario, expectRpRejects } from '../../harness/src/index.js';

export default defineScenario({
  title: "The OAuth 2.0 authorization endpoint pasted as the Discovery Endpoint: the bridge's Verify fails, no metadata",
  reproduces:
    'PingOne "Connect to Azure" step 7.2: copy the "OpenID Connect metadata document" URL — the "OAuth 2.0 authorization endpoint (v2)" line above it copied instead',
  steps: [configureBridgeDiscovery({ pasted: 'authorize-endpoint' }), bridgeVerify()],
  expect: [expectRpRejects({ phase: 'verify' })],
});
