import { browserLogin, configureBridge, CONTOSO, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A tenant in Azure Government (login.microsoftonline.us): a relying party that takes the issuer from the discovery document lets the user in',
  reproduces:
    'Issue 15: the Entra-aware counterpart of national-cloud-hardcoded-issuer — the issuer is the metadata document\'s "issuer", https://login.microsoftonline.us/{tid}/v2.0',
  impersonation: true,
  tenant: { patch: [{ op: 'add', path: '/cloud', value: 'AzureUSGovernment' }] },
  steps: [
    configureBridge({
      discoveryUrl: `https://login.microsoftonline.us/${CONTOSO.tenantId}/v2.0/.well-known/openid-configuration`,
      // The issuer the user's token carries, shown as a bridge attribute.
      attributeMapping: { subject: 'oid', username: 'preferred_username', issuer: 'iss' },
    }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    // https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
    expectBridgeUser({
      user: 'AdeleV@contoso.onmicrosoft.com',
      attributes: {
        subject: CONTOSO.users.adele.id,
        username: 'AdeleV@contoso.onmicrosoft.com',
        issuer: `https://login.microsoftonline.us/${CONTOSO.tenantId}/v2.0`,
      },
    }),
  ],
});
