import { clientCredentials, CONTOSO, defineScenario, expectAadsts } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The ingestion config lists the delegated scope access_as_user: client credentials need {resource}/.default, Entra answers AADSTS1002012',
  reproduces: 'OpenMetadata "Azure SSO" "Configure Ingestion": `scopes: - your_scopes` filled with the custom scope of step 3',
  steps: [clientCredentials({ app: 'ingestion', scope: CONTOSO.openMetadataUi.scope })],
  expect: [expectAadsts(1002012, { surface: 'json' })],
});
