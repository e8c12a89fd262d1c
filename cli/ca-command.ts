import { parseArgs } from 'node:util';
import { loadCaCertificate, resolveOptions } from '../mock-idp/src/index.js';

/**
 * `mock-entra ca [--state-dir DIR]`: prints the CA certificate of a state directory — the one a
 * mock started with the same `--state-dir` (or MOCK_ENTRA_STATE_DIR) serves its TLS certificate
 * under. The flag matters: a mock started with `--state-dir` has its own CA, and printing the
 * default directory's instead gives the user a certificate that does not verify the mock.
 */

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const CA_HELP = `Usage: mock-entra ca [--state-dir DIR]

Prints the mock's CA certificate (PEM): trust it to reach a mock started with the same state
directory (NODE_EXTRA_CA_CERTS, curl --cacert, MSAL's and requests' CA bundles).

  --state-dir DIR   the state directory the mock was started with   [MOCK_ENTRA_STATE_DIR]
                    (default: $XDG_STATE_HOME/mock-entra or ~/.local/state/mock-entra)
  -h, --help
`;

export async function runCaCommand(args: string[], io: Io): Promise<number> {
  let values: { 'state-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    io.stderr(`mock-entra ca: ${(e as Error).message}\n\n${CA_HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(CA_HELP);
    return 0;
  }
  if (values['state-dir'] === '') {
    io.stderr(`mock-entra ca: --state-dir needs a directory\n\n${CA_HELP}`);
    return 2;
  }
  // The flag wins over MOCK_ENTRA_STATE_DIR, which wins over the default: as for `serve`.
  const { stateDir } = resolveOptions(values['state-dir'] !== undefined ? { stateDir: values['state-dir'] } : {});
  try {
    io.stdout((await loadCaCertificate(stateDir)).pem);
    return 0;
  } catch (e) {
    io.stderr(`mock-entra ca: cannot use the state directory ${stateDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
}
