import { browserLogin, configureBridgeDiscovery, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A single-tenant registration used through the /common metadata document: Entra sends the bridge back AADSTS50194',
  reproduces: 'PingOne "Connect to Azure" step 2.2 ("Accounts in this organizational directory only") with step 8 given the /common/v2.0 metadata document',
  steps: [configureBridgeDiscovery({ tenant: 'common' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    // The redirect URI is registered, so Entra answers the app (invalid_request) instead of showing its page.
    expectAadsts(50194, { surface: 'redirect' }),
    expectAadsts(50194, { surface: 'bridge', phase: 'authorize' }),
    expectNoBridgeUser(),
  ],
});
