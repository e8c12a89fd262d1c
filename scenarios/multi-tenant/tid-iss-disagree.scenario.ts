import {
  browserLogin,
  configureBridge,
  configureBridgeDiscovery,
  CONTOSO,
  defineScenario,
  expectNoBridgeUser,
  expectRpRejects,
  mutateNext,
  withOwnAppId,
} from '../../harness/src/index.js';

const BRIDGE_APP_ID = '8c3f1e52-6a7d-4b09-9e2c-5d1a3f7b9c84';
/** A second tenant the relying party serves, which the broken ID token claims as its tid. */
const FABRIKAM_TENANT_ID = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

export default defineScenario({
  title:
    "A multi-tenant app behind /organizations: an ID token whose tid names another allowed tenant while iss names the user's own is refused — iss must be the template filled with that very tid",
  reproduces:
    'The multi-tenant hole: an app that checks tid against its allow-list but not iss against the template filled with tid (access-tokens#validate-the-issuer); mutation tid-other-tenant',
  tenant: {
    mutate: withOwnAppId(CONTOSO.bridge.appId, BRIDGE_APP_ID),
    patch: [{ op: 'replace', path: '/applications/0/signInAudience', value: 'AzureADMultipleOrgs' }],
  },
  steps: [
    configureBridge({ clientId: BRIDGE_APP_ID, allowedTenants: [CONTOSO.tenantId, FABRIKAM_TENANT_ID] }),
    configureBridgeDiscovery({ tenant: 'organizations' }),
    mutateNext({ target: 'id_token', kind: 'tid-other-tenant', tenantId: FABRIKAM_TENANT_ID }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [expectRpRejects({ phase: 'id_token', error: /unexpected JWT "iss" \(issuer\) claim value/ }), expectNoBridgeUser()],
});
