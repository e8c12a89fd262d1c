import { CONTOSO, defineScenario, expectAadsts, spaLogin } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ingestion app's client ID configured in OpenMetadata's UI: its only redirect URI is the public client one, so Entra shows AADSTS50011",
  reproduces: 'OpenMetadata "Azure SSO" step 3 ("The Client ID … displayed in the Overview section") read from the ingestion app of step 4',
  steps: [spaLogin({ user: 'AdeleV@contoso.onmicrosoft.com', clientId: CONTOSO.ingestion.appId })],
  expect: [expectAadsts(50011, { surface: 'error-page' })],
});
