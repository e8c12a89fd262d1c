// The ingestion client of the stack (docker-compose.yml, service `ingestion`): harness/bridge's
// runIngestion — OpenMetadata's ingestion, OAuth 2.0 client credentials for an app-only token —
// run once against the mock. It prints one JSON line: {"ok":true,"claims":{…}} or
// {"ok":false,"error":{"phase":"token","error":"invalid_client","aadsts":…,"description":…}}, and
// exits 0 or 1 accordingly. Runs in the harness image, whose dist/ holds the bridge.
//
//   env: MOCK_ENTRA_AUTHORITY (https://localhost:8443/<tenant>), MOCK_ENTRA_CLIENT_ID,
//        MOCK_ENTRA_CLIENT_SECRET, INGESTION_SCOPE (api://<app>/.default), MOCK_ENTRA_CA_FILE
import { readFileSync } from 'node:fs';
import { runIngestion } from '/app/dist/harness/bridge/index.js';

const env = process.env;
const names = ['MOCK_ENTRA_AUTHORITY', 'MOCK_ENTRA_CLIENT_ID', 'MOCK_ENTRA_CLIENT_SECRET', 'INGESTION_SCOPE', 'MOCK_ENTRA_CA_FILE'];
const missing = names.filter((k) => !env[k]);
if (missing.length) {
  process.stderr.write(`ingestion: set ${missing.join(', ')}\n`);
  process.exit(2);
}
const result = await runIngestion({
  authority: env.MOCK_ENTRA_AUTHORITY,
  clientId: env.MOCK_ENTRA_CLIENT_ID,
  clientSecret: env.MOCK_ENTRA_CLIENT_SECRET,
  scope: env.INGESTION_SCOPE,
  ca: readFileSync(env.MOCK_ENTRA_CA_FILE, 'utf8'),
});
// The token itself stays out of the log: its claims say what the test and a reader need.
process.stdout.write(`${JSON.stringify(result.ok ? { ok: true, claims: result.claims } : { ok: false, error: result.error })}\n`);
process.exit(result.ok ? 0 : 1);
