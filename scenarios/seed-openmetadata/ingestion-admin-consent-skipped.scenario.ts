import { clientCredentials, CONTOSO, defineScenario, expectClaims } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Admin consent for the ingestion app skipped: client credentials still get a token — without roles, which only the API can refuse',
  reproduces: 'OpenMetadata "Azure SSO" "Step 6: Grant Admin Consent for Default Directory" skipped',
  // The ingestion app's consent is the default tenant's fourth grant.
  tenant: { patch: [{ op: 'remove', path: '/oauth2PermissionGrants/3' }] },
  steps: [clientCredentials({ app: 'ingestion' })],
  expect: expectClaims({ aud: CONTOSO.openMetadataUi.apiUri, appid: CONTOSO.ingestion.appId, idtyp: 'app' }, { absent: ['roles', 'scp'] }),
});
