import { browserLogin, defineScenario, expectRpAccepts, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's tid names another tenant while its iss names this one: the bridge, pinned to its tenant's issuer, signs the user in",
  reproduces:
    'Entra near-miss: iss and tid naming different tenants (access-tokens doc, "Validate the issuer": multi-tenant apps fill {tenantid} from tid). A single-tenant RP that compares iss exactly may ignore tid; a multi-tenant RP must reject',
  steps: [mutateNext({ target: 'id_token', kind: 'tid-other-tenant' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpAccepts({
      user: 'AdeleV@contoso.onmicrosoft.com',
      because: 'tid is not an OIDC Core claim; an RP configured with one tenant compares iss exactly and openid-client does not read tid',
    }),
  ],
});
