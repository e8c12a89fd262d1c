// The SPA page of the stack (docker-compose.yml, service `spa`): harness/bridge/spa.ts — OpenMetadata's
// UI as a public client, code flow + PKCE in the browser — served on $PORT against the mock, its
// discovery read over the mock's CA. Runs in the harness image, whose dist/ holds the bridge.
//
//   env: PORT, MOCK_ENTRA_AUTHORITY (https://localhost:8443/<tenant>), MOCK_ENTRA_CLIENT_ID, MOCK_ENTRA_CA_FILE
import { readFileSync } from 'node:fs';
import { startSpa } from '/app/dist/harness/bridge/index.js';

const { PORT, MOCK_ENTRA_AUTHORITY, MOCK_ENTRA_CLIENT_ID, MOCK_ENTRA_CA_FILE } = process.env;
const missing = Object.entries({ PORT, MOCK_ENTRA_AUTHORITY, MOCK_ENTRA_CLIENT_ID, MOCK_ENTRA_CA_FILE })
  .filter(([, v]) => !v)
  .map(([k]) => k);
if (missing.length) {
  process.stderr.write(`spa: set ${missing.join(', ')}\n`);
  process.exit(2);
}
try {
  const spa = await startSpa({
    authority: MOCK_ENTRA_AUTHORITY,
    clientId: MOCK_ENTRA_CLIENT_ID,
    port: Number(PORT),
    ca: readFileSync(MOCK_ENTRA_CA_FILE, 'utf8'),
  });
  process.stdout.write(`spa listening on ${spa.url} (redirect URI ${spa.redirectUri})\n`);
  const stop = () => void spa.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (e) {
  process.stderr.write(`spa: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
