import { clientCredentials, defineScenario, expectAadsts } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A client ID that is no application in the tenant (the Object ID noted instead): Entra answers AADSTS700016',
  reproduces:
    'OpenMetadata "Azure SSO" "Step 9: Note down the clientId": the Object ID under it on the Overview page copied instead of the Application (client) ID',
  steps: [clientCredentials({ app: 'ingestion', clientId: '5c1f0a9e-3d2b-4e8f-9a7c-6b5d4e3f2a1b' })],
  expect: [expectAadsts(700016, { surface: 'json' })],
});
