import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startBridge, type RunningBridge } from '../../bridge/index.js';

/**
 * The reference bridge as a conformance target (examples/targets/bridge/target.yaml): started on
 * $PORT and configured from the MOCK_ENTRA_* variables a target's command receives — the way a
 * third-party app is configured from its environment — so `mock-entra conform` can be proven
 * on a relying party without installing anything else. Stops on SIGTERM/SIGINT.
 *
 *   node dist/harness/src/conform/serve-bridge.js     (with the variables set)
 */

const VERIFICATION_CODE = 'vc-5f2a9c';

export async function serveBridgeTarget(env: NodeJS.ProcessEnv = process.env): Promise<RunningBridge> {
  const missing = ['MOCK_ENTRA_DISCOVERY_URL', 'MOCK_ENTRA_CLIENT_ID', 'MOCK_ENTRA_CLIENT_SECRET', 'PORT'].filter((k) => !env[k]);
  if (missing.length) throw new Error(`serve-bridge: set ${missing.join(', ')} (mock-entra conform sets them for a managed target)`);
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`serve-bridge: PORT must be a port number, not '${env.PORT}'`);
  const discoveryUrl = env.MOCK_ENTRA_DISCOVERY_URL!;
  const trust = discoveryUrl.startsWith('http:')
    ? { allowInsecureRequests: true as const }
    : env.MOCK_ENTRA_CA_FILE
      ? { ca: readFileSync(env.MOCK_ENTRA_CA_FILE, 'utf8') }
      : {};
  const bridge = await startBridge({
    discoveryUrl,
    clientId: env.MOCK_ENTRA_CLIENT_ID!,
    clientSecret: env.MOCK_ENTRA_CLIENT_SECRET!,
    verificationCode: env.BRIDGE_VERIFICATION_CODE || VERIFICATION_CODE,
    port,
    groupSync: true,
    ...trust,
  });
  const stop = () => {
    void bridge.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`bridge listening on ${bridge.url} (client ${env.MOCK_ENTRA_CLIENT_ID}, ${discoveryUrl})\n`);
  return bridge;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  serveBridgeTarget().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  });
}
