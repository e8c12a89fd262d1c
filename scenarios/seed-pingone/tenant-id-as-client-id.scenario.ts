import { browserLogin, configureBridge, CONTOSO, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The Directory (tenant) ID pasted into the Client ID field: Entra shows AADSTS700016 (no such application in the directory)',
  reproduces:
    'PingOne "Connect to Azure" steps 3–4: copy the Application (client) ID — the Directory (tenant) ID next to it on the overview page copied instead',
  steps: [configureBridge({ clientId: CONTOSO.tenantId }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(700016, { surface: 'error-page' }), expectNoBridgeUser()],
});
