import { browserLogin, configureBridge, configureBridgeDiscovery, CONTOSO, defineScenario, expectBridgeUser, withOwnAppId } from '../../harness/src/index.js';

/** The bridge's registration under an appId no other tenant has: /organizations finds an app by its appId alone. */
const BRIDGE_APP_ID = '2b9e4c71-5d3a-4f86-9c1e-7a4b8d2f6e31';

export default defineScenario({
  title:
    "A multi-tenant app behind /organizations with a tenant allow-list: a user of an allowed tenant signs in — the ID token's iss is the {tenantid} template filled with its own tid",
  reproduces:
    "Microsoft's issuer rule for multi-tenant apps (access-tokens#validate-the-issuer): iss must equal the discovery issuer with {tenantid} replaced by the token's tid, and tid must be a tenant the app serves",
  tenant: {
    mutate: withOwnAppId(CONTOSO.bridge.appId, BRIDGE_APP_ID),
    patch: [{ op: 'replace', path: '/applications/0/signInAudience', value: 'AzureADMultipleOrgs' }],
  },
  steps: [
    configureBridge({ clientId: BRIDGE_APP_ID, allowedTenants: [CONTOSO.tenantId] }),
    configureBridgeDiscovery({ tenant: 'organizations' }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: expectBridgeUser({
    user: 'AdeleV@contoso.onmicrosoft.com',
    attributes: { subject: CONTOSO.users.adele.id, username: 'AdeleV@contoso.onmicrosoft.com' },
  }),
});
