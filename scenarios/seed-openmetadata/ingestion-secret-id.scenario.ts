import { clientCredentials, CONTOSO, defineScenario, expectAadsts } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ingestion secret's ID configured as clientSecret: Entra answers AADSTS7000215",
  reproduces: 'OpenMetadata "Azure SSO" "Step 8: Create a Client Secret": the secret_key is the Value — the Secret ID copied instead',
  steps: [clientCredentials({ app: 'ingestion', clientSecret: CONTOSO.ingestion.secretKeyId })],
  expect: [expectAadsts(7000215, { surface: 'json' })],
});
