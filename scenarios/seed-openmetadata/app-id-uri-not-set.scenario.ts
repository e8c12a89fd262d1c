import { clientCredentials, CONTOSO, defineScenario, expectAadsts } from '../../harness/src/index.js';

export default defineScenario({
  title: "The App ID URI never set: the ingestion client's api://{appId}/.default names no resource, and Entra answers AADSTS500011",
  reproduces: 'OpenMetadata "Azure SSO" "Step 2: Expose an API" / "Step 7: Set the App ID URI" skipped',
  tenant: { patch: [{ op: 'replace', path: '/applications/1/identifierUris', value: [] }] },
  steps: [clientCredentials({ app: 'ingestion', scope: `${CONTOSO.openMetadataUi.apiUri}/.default` })],
  expect: [expectAadsts(500011, { surface: 'json' })],
});
