import { browserLogin, configureBridge, CONTOSO, defineScenario, expectRpRejects } from '../../harness/src/index.js';

export default defineScenario({
  title:
    "A tenant in Azure Government (login.microsoftonline.us): the relying party's hard-coded issuer regex, written for the public cloud, refuses a valid sign-in",
  reproduces:
    'Issue 15: an app whose issuer check is a hard-coded regex that a national cloud breaks — ^https://login\\.microsoftonline\\.com/[^/]+/v2\\.0$ against the issuer https://login.microsoftonline.us/{tid}/v2.0',
  impersonation: true,
  tenant: { patch: [{ op: 'add', path: '/cloud', value: 'AzureUSGovernment' }] },
  steps: [
    configureBridge({
      discoveryUrl: `https://login.microsoftonline.us/${CONTOSO.tenantId}/v2.0/.well-known/openid-configuration`,
      issuerPattern: '^https://login\\.microsoftonline\\.com/[^/]+/v2\\.0$',
    }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    // The library accepted the token (its iss is the discovery document's issuer); the relying party's own regex did not.
    // A national cloud's issuer is on its own host: https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
    expectRpRejects({ phase: 'id_token', error: 'invalid_issuer' }),
  ],
});
