import { clientCredentials, CONTOSO, defineScenario, expectClaims } from '../../harness/src/index.js';

export default defineScenario({
  title:
    "The API's accessTokenAcceptedVersion set to 2: the same request now yields a v2.0 token — issuer {host}/{tid}/v2.0 instead of sts.windows.net, aud the appId",
  reproduces:
    "Real-world case: v1 vs v2 issuer — an API validating iss against sts.windows.net breaks when the manifest's accessTokenAcceptedVersion (requestedAccessTokenVersion) goes from null to 2",
  tenant: { patch: [{ op: 'replace', path: '/applications/1/api/requestedAccessTokenVersion', value: 2 }] },
  steps: [clientCredentials({ app: 'ingestion', scope: `${CONTOSO.openMetadataUi.apiUri}/.default` })],
  // The version follows the resource's setting, not the endpoint (v2.0 here and in ingestion/client-credentials):
  // https://learn.microsoft.com/entra/identity-platform/access-tokens#token-formats
  expect: expectClaims(
    {
      aud: CONTOSO.openMetadataUi.appId,
      // The v2.0 issuer: {authority host}/{tid}/v2.0 (https://login.microsoftonline.com/… in Entra; the mock's own origin here).
      iss: /^https?:\/\/[^/]+\/[0-9a-f-]{36}\/v2\.0$/,
      tid: CONTOSO.tenantId,
      azp: CONTOSO.ingestion.appId,
      ver: '2.0',
    },
    { absent: ['appid', 'roles'] },
  ),
});
