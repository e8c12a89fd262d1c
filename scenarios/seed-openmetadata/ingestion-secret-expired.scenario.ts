import { clientCredentials, defineScenario, expectAadsts } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ingestion secret's expiry period has passed: Entra answers AADSTS7000222",
  reproduces: 'OpenMetadata "Azure SSO" "Step 8: Create a Client Secret": "Enter a description and an expiry period" — and the period ran out',
  tenant: { patch: [{ op: 'replace', path: '/applications/2/passwordCredentials/0/endDateTime', value: '2025-06-30T00:00:00Z' }] },
  steps: [clientCredentials({ app: 'ingestion' })],
  expect: [expectAadsts(7000222, { surface: 'json' })],
});
