import {
  browserLogin,
  configureBridge,
  configureBridgeDiscovery,
  CONTOSO,
  defineScenario,
  expectBridgeVerified,
  bridgeVerify,
  expectRpRejects,
  withOwnAppId,
} from '../../harness/src/index.js';

/** The bridge's registration under an appId no other tenant has: /common finds an app by its appId alone. */
const BRIDGE_APP_ID = '6c0d5f0e-2b71-4e5a-9d3c-7a1e8b4f2c60';

export default defineScenario({
  title:
    "A multi-tenant registration behind the /common metadata document: its issuer is the {tenantid} template, which the bridge — one tenant's relying party — cannot match",
  reproduces:
    'Real-world case: the {tenantid} template on /common — "iss" https://login.microsoftonline.com/{tenantid}/v2.0 in discovery, the user\'s tenant in the ID token',
  tenant: {
    mutate: withOwnAppId(CONTOSO.bridge.appId, BRIDGE_APP_ID),
    patch: [{ op: 'replace', path: '/applications/0/signInAudience', value: 'AzureADMultipleOrgs' }],
  },
  steps: [
    configureBridge({ clientId: BRIDGE_APP_ID }),
    configureBridgeDiscovery({ tenant: 'common' }),
    bridgeVerify(),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    expectBridgeVerified(),
    // openid-client fills {tenantid} from tid only for https://login.microsoftonline.com (its handleEntraId), so
    // the bridge compares iss with the template literally and refuses — failing closed, as a single-tenant relying
    // party should: it must compare iss with its own tenant's issuer, or any tenant's users get in.
    // https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
    expectRpRejects({
      phase: 'id_token',
      error: /iss/,
      skippable: `a multi-tenant relying party replaces {tenantid} with the token's tid (${CONTOSO.tenantId} here) and accepts`,
    }),
  ],
});
