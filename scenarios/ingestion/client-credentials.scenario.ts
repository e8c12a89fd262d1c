import { clientCredentials, CONTOSO, defineScenario, expectClaims } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ingestion service gets an app-only token for OpenMetadata's API with its client secret",
  reproduces: 'OpenMetadata "Azure SSO" steps 4–9 and "Configure Ingestion": client credentials with api://{appId}/.default',
  steps: [clientCredentials({ app: 'ingestion', scope: `${CONTOSO.openMetadataUi.apiUri}/.default` })],
  // The API's requestedAccessTokenVersion is null → a v1 token: the App ID URI as aud, sts.windows.net as issuer.
  // It defines no app roles, so the token carries no roles claim (and, app-only, no scp).
  expect: expectClaims(
    {
      aud: CONTOSO.openMetadataUi.apiUri,
      iss: `https://sts.windows.net/${CONTOSO.tenantId}/`,
      tid: CONTOSO.tenantId,
      appid: CONTOSO.ingestion.appId,
      idtyp: 'app',
      ver: '1.0',
    },
    { absent: ['roles', 'scp'] },
  ),
});
