import { defineScenario, expectAadsts, spaLogin } from '../../harness/src/index.js';

export default defineScenario({
  title: 'OpenMetadata registered without its redirect URL: Entra shows AADSTS500113 and never returns to the app',
  reproduces: 'OpenMetadata "Azure SSO" step 2: "Provide a redirect URL as a Single Page Application" — skipped',
  tenant: { patch: [{ op: 'remove', path: '/applications/1/spa' }] },
  steps: [spaLogin({ user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(500113, { surface: 'error-page' })],
});
