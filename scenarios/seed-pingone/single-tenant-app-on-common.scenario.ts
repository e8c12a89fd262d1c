import {
  browserLogin,
  configureBridge,
  configureBridgeDiscovery,
  CONTOSO,
  defineScenario,
  expectAadsts,
  expectNoBridgeUser,
  withOwnAppId,
} from '../../harness/src/index.js';

/** The bridge's registration under an appId no other tenant has: /common finds an app by its appId alone. */
const BRIDGE_APP_ID = '1d7e3a52-8c40-4f6b-a2d9-5e0c7b3f9a14';

export default defineScenario({
  title: 'A single-tenant registration used through the /common metadata document: Entra sends the bridge back AADSTS50194',
  reproduces: 'PingOne "Connect to Azure" step 2.2 ("Accounts in this organizational directory only") with step 8 given the /common/v2.0 metadata document',
  tenant: { mutate: withOwnAppId(CONTOSO.bridge.appId, BRIDGE_APP_ID) },
  steps: [
    configureBridge({ clientId: BRIDGE_APP_ID }),
    configureBridgeDiscovery({ tenant: 'common' }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    // The redirect URI is registered, so Entra answers the app (invalid_request) instead of showing its page.
    expectAadsts(50194, { surface: 'redirect' }),
    expectAadsts(50194, { surface: 'bridge', phase: 'authorize' }),
    expectNoBridgeUser(),
  ],
});
