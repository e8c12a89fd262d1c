import {
  browserLogin,
  configureBridge,
  CONTOSO,
  defineScenario,
  expectBridgeUser,
  expectBridgeVerified,
  bridgeVerify,
  withOwnAppId,
} from '../../harness/src/index.js';

/** The bridge's registration under an appId no other tenant has: /organizations finds an app by its appId alone. */
const BRIDGE_APP_ID = '3f9b2c71-8d4e-4a06-b5c2-1e7d9a6f0b84';

export default defineScenario({
  title:
    "A multi-tenant relying party on https://login.microsoftonline.com/organizations/v2.0: the {tenantid} issuer template, filled with the token's tid the Entra-aware way, lets the user in",
  reproduces:
    "Issue 15: an app on /organizations that validates the issuer template the Entra-aware way — openid-client v6 discovering https://login.microsoftonline.com/organizations/v2.0 checks iss against {tenantid} filled with the ID token's tid (on that origin only)",
  impersonation: true,
  tenant: {
    mutate: withOwnAppId(CONTOSO.bridge.appId, BRIDGE_APP_ID),
    patch: [{ op: 'replace', path: '/applications/0/signInAudience', value: 'AzureADMultipleOrgs' }],
  },
  steps: [
    configureBridge({
      clientId: BRIDGE_APP_ID,
      // The issuer URL, which openid-client resolves (its discovery() with a .well-known URL skips its Entra handling).
      discoveryUrl: 'https://login.microsoftonline.com/organizations/v2.0',
      // The issuer the user's token carries, shown as a bridge attribute.
      attributeMapping: { subject: 'oid', username: 'preferred_username', issuer: 'iss' },
    }),
    bridgeVerify(),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    expectBridgeVerified(),
    // Discovery names the issuer https://login.microsoftonline.com/{tenantid}/v2.0; the ID token the tenant's own. A
    // relying party comparing iss with the template literally refuses here (as on the mock's own host:
    // scenarios/real-world/tenantid-template-on-common). https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
    expectBridgeUser({
      user: 'AdeleV@contoso.onmicrosoft.com',
      attributes: {
        subject: CONTOSO.users.adele.id,
        username: 'AdeleV@contoso.onmicrosoft.com',
        issuer: `https://login.microsoftonline.com/${CONTOSO.tenantId}/v2.0`,
      },
    }),
  ],
});
