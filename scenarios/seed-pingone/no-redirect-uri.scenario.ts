import { browserLogin, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The app registration has no redirect URI at all: Entra shows AADSTS500113 and never redirects',
  reproduces: 'PingOne "Connect to Azure" step 2.3 left empty ("Optional") and step 15 never done',
  tenant: { patch: [{ op: 'replace', path: '/applications/0/web/redirectUris', value: [] }] },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(500113, { surface: 'error-page' }), expectNoBridgeUser()],
});
