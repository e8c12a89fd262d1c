import { clientCredentials, CONTOSO, defineScenario, expectAadsts } from '../../harness/src/index.js';

export default defineScenario({
  title: "The UI app's client ID configured for ingestion with the ingestion secret: the secret is none of that app's, Entra answers AADSTS7000215",
  reproduces:
    'OpenMetadata "Azure SSO" "Step 9: Note down the clientId": the OpenMetadata UI registration\'s Application ID noted instead of the ingestion one',
  steps: [clientCredentials({ app: 'ingestion', clientId: CONTOSO.openMetadataUi.appId })],
  expect: [expectAadsts(7000215, { surface: 'json' })],
});
