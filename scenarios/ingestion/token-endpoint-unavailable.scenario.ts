import { clientCredentials, defineScenario, entraFault, expectAadsts, expectRequests } from '../../harness/src/index.js';

export default defineScenario({
  title: "Entra's token endpoint fails transiently (503 temporarily_unavailable): the ingestion client reports AADSTS90033",
  reproduces: 'Azure/azure-sdk-for-python #14241: a 503 temporarily_unavailable AADSTS90033 answer to a token request',
  steps: [entraFault({ answer: 'temporarily_unavailable', grantType: 'client_credentials', count: 1 }), clientCredentials({ app: 'ingestion' })],
  expect: [expectAadsts(90033, { surface: 'json' }), expectRequests({ endpoint: /^token/, status: 503, count: 1 })],
});
