import { CONTOSO, defineScenario, expectAadsts, spaLogin } from '../../harness/src/index.js';

export default defineScenario({
  title: "The Tenant ID configured as OpenMetadata's client ID: Entra shows AADSTS700016",
  reproduces: 'OpenMetadata "Azure SSO" step 3: "The Client ID and the Tenant ID are displayed in the Overview section" — the two swapped',
  steps: [spaLogin({ user: 'AdeleV@contoso.onmicrosoft.com', clientId: CONTOSO.tenantId })],
  expect: [expectAadsts(700016, { surface: 'error-page' })],
});
