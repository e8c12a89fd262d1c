import {
  browserLogin,
  configureBridge,
  configureBridgeDiscovery,
  CONTOSO,
  defineScenario,
  expectNoBridgeUser,
  expectRpRejects,
  withOwnAppId,
} from '../../harness/src/index.js';

const BRIDGE_APP_ID = '5e1a7c93-2f4b-4d68-8a0c-3b9d6e1f4a72';
/** The only tenant the relying party serves: not the user's. */
const FABRIKAM_TENANT_ID = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

export default defineScenario({
  title:
    'A multi-tenant app behind /organizations: a user of a tenant the relying party does not serve signs in at Entra, and the relying party refuses her (tid not on its allow-list)',
  reproduces:
    "Microsoft's guidance for multi-tenant apps: any organization's users can sign in at Entra, so the app must restrict the tenants it accepts by the token's tid (howto-convert-app-to-be-multi-tenant, access-tokens#validate-the-issuer)",
  tenant: {
    mutate: withOwnAppId(CONTOSO.bridge.appId, BRIDGE_APP_ID),
    patch: [{ op: 'replace', path: '/applications/0/signInAudience', value: 'AzureADMultipleOrgs' }],
  },
  steps: [
    configureBridge({ clientId: BRIDGE_APP_ID, allowedTenants: [FABRIKAM_TENANT_ID] }),
    configureBridgeDiscovery({ tenant: 'organizations' }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [expectRpRejects({ phase: 'id_token', error: 'tenant_not_allowed' }), expectNoBridgeUser()],
});
