#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startMockEntra, DEFAULT_PORT } from '../mock-idp/src/server.js';
import { loadCaCertificate } from '../mock-idp/src/keys/tls.js';
import { defaultStateDir, UntrustedStateError } from '../mock-idp/src/keys/state-dir.js';
import { FixtureError } from '../mock-idp/src/directory/fixture-issues.js';
import { CONTOSO } from '../mock-idp/src/contoso.js';

const HELP = `mock-entra — a mock Microsoft Entra ID and Microsoft Graph

Usage:
  mock-entra [serve] [options]        start the mock (default command)
  mock-entra ca                       print the local CA certificate (PEM)
  mock-entra fixtures validate FILE…  check fixture files, every error with file and JSON path
  mock-entra fixtures import MANIFEST turn an app registration manifest into a fixture
  mock-entra fixtures generate …      write a tenant with generated users and groups (see fixtures help)
  mock-entra scenarios list|run …     the scenario suite (mock-entra scenarios --help)

serve options (environment variable in brackets):
  -f, --fixture FILE     fixture file, repeatable            [MOCK_ENTRA_FIXTURES, comma-separated]
  -p, --port N           port, 0 = any free one (${DEFAULT_PORT})       [MOCK_ENTRA_PORT]
  -H, --host ADDR        listen address (127.0.0.1)          [MOCK_ENTRA_HOST]
      --http             plain HTTP instead of HTTPS         [MOCK_ENTRA_HTTP=1]
      --public-url URL   origin used in issuers and links    [MOCK_ENTRA_PUBLIC_URL]
      --tls-host NAME    extra certificate host, repeatable  [MOCK_ENTRA_TLS_HOSTS]
      --state-dir DIR    keys and CA live here               [MOCK_ENTRA_STATE_DIR]
      --allow-remote-control  let non-loopback callers use /_mock/ [MOCK_ENTRA_REMOTE_CONTROL=1]
      --control-token TOKEN   control credential: Authorization: Bearer TOKEN reaches /_mock/
                              from any address and host name          [MOCK_ENTRA_CONTROL_TOKEN]
      --max-tenants N         most tenants; more via /_mock/ refused (100) [MOCK_ENTRA_MAX_TENANTS]
      --max-generated-users N   most users one /_mock/ request generates (10000)
                                                               [MOCK_ENTRA_MAX_GENERATED_USERS]
      --max-generated-groups N  most groups one /_mock/ request generates (5000)
                                                               [MOCK_ENTRA_MAX_GENERATED_GROUPS]
      --log              request log on stdout (Fastify's; secrets masked) [MOCK_ENTRA_LOG=1]
  -h, --help
`;

const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s) };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv[0] && !argv[0].startsWith('-') ? argv : ['serve', ...argv];
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'ca': {
      const ca = await loadCaCertificate(process.env.MOCK_ENTRA_STATE_DIR || defaultStateDir());
      io.stdout(ca.pem);
      return 0;
    }
    case 'fixtures': {
      // Loaded for this command only: `serve` starts without the fixture tooling.
      const { runFixturesCommand } = await import('./fixtures-command.js');
      return runFixturesCommand(rest, io);
    }
    case 'scenarios': {
      // Loaded on demand: it needs vitest and the browser tooling (dev dependencies), serve does not.
      const { runScenariosCommand } = await import('./scenarios-command.js');
      return runScenariosCommand(rest, io);
    }
    case 'help':
      io.stdout(HELP);
      return 0;
    default:
      io.stderr(`mock-entra: unknown command '${command}'\n\n${HELP}`);
      return 2;
  }
}

const list = (v: string | undefined): string[] =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
const flag = (v: string | undefined): boolean => v === '1' || v === 'true' || v === 'yes';

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      fixture: { type: 'string', short: 'f', multiple: true },
      port: { type: 'string', short: 'p' },
      host: { type: 'string', short: 'H' },
      http: { type: 'boolean' },
      'public-url': { type: 'string' },
      'tls-host': { type: 'string', multiple: true },
      'state-dir': { type: 'string' },
      'allow-remote-control': { type: 'boolean' },
      'control-token': { type: 'string' },
      'max-tenants': { type: 'string' },
      'max-generated-users': { type: 'string' },
      'max-generated-groups': { type: 'string' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const env = process.env;
  // An empty value (`MOCK_ENTRA_PORT=` from a template) counts as unset, never as port 0 or host ''.
  const portText = values.port || env.MOCK_ENTRA_PORT || undefined;
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`mock-entra: --port must be a number from 0 to 65535, not '${portText}'\n`);
    return 2;
  }
  const fixtures = values.fixture ?? list(env.MOCK_ENTRA_FIXTURES);
  // The test-control API's limits: a whole number each, or unset for the default.
  const limits: Record<string, number> = {};
  for (const [flagName, envName, option] of [
    ['max-tenants', 'MOCK_ENTRA_MAX_TENANTS', 'maxTenants'],
    ['max-generated-users', 'MOCK_ENTRA_MAX_GENERATED_USERS', 'maxGeneratedUsers'],
    ['max-generated-groups', 'MOCK_ENTRA_MAX_GENERATED_GROUPS', 'maxGeneratedGroups'],
  ] as const) {
    const text = values[flagName] || env[envName] || undefined;
    if (text === undefined) continue;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
      io.stderr(`mock-entra: --${flagName} must be a whole number ≥ 0, not '${text}'\n`);
      return 2;
    }
    limits[option] = n;
  }
  try {
    const mock = await startMockEntra({
      ...(fixtures.length > 0 ? { fixtures } : {}),
      port,
      // '' would make Node listen on every interface: empty means unset, so loopback.
      host: values.host || env.MOCK_ENTRA_HOST || '127.0.0.1',
      tls: !(values.http ?? flag(env.MOCK_ENTRA_HTTP)),
      ...((values['public-url'] ?? env.MOCK_ENTRA_PUBLIC_URL) ? { publicUrl: values['public-url'] ?? env.MOCK_ENTRA_PUBLIC_URL } : {}),
      tlsHosts: values['tls-host'] ?? list(env.MOCK_ENTRA_TLS_HOSTS),
      ...((values['state-dir'] ?? env.MOCK_ENTRA_STATE_DIR) ? { stateDir: values['state-dir'] ?? env.MOCK_ENTRA_STATE_DIR } : {}),
      allowRemoteControl: values['allow-remote-control'] ?? flag(env.MOCK_ENTRA_REMOTE_CONTROL),
      ...(values['control-token'] || env.MOCK_ENTRA_CONTROL_TOKEN ? { controlToken: values['control-token'] || env.MOCK_ENTRA_CONTROL_TOKEN } : {}),
      ...limits,
      logger: values.log ?? flag(env.MOCK_ENTRA_LOG),
    });
    const lines = [`mock-entra is serving ${mock.url}`, ''];
    for (const t of mock.tenants) lines.push(`  tenant ${t.displayName} (${t.id})`, `    authority   ${t.authority}`, `    discovery   ${t.discoveryUrl}`);
    if (mock.caPath) {
      lines.push(
        '',
        `CA certificate: ${mock.caPath}`,
        `  trust it in Node:  export NODE_EXTRA_CA_CERTS=${mock.caPath}   (before node starts)`,
        '  print it:          npx mock-entra ca',
      );
    }
    if (mock.tenants.some((t) => t.id === CONTOSO.tenantId)) {
      lines.push(
        '',
        'Default tenant credentials (see README):',
        `  Identity Bridge         client_id ${CONTOSO.bridge.appId}  secret ${CONTOSO.bridge.secret}`,
        `  OpenMetadata Ingestion  client_id ${CONTOSO.ingestion.appId}  secret ${CONTOSO.ingestion.secret}`,
        `  users: ${Object.values(CONTOSO.users)
          .map((u) => u.upn)
          .join(', ')} (no passwords)`,
      );
    }
    lines.push('', 'Test-control API: ' + mock.url + '/_mock/tenants   (Ctrl-C to stop)', '');
    io.stdout(lines.join('\n'));
    const stop = (): void => {
      void mock.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1; // keep running
  } catch (e) {
    if (e instanceof FixtureError || e instanceof UntrustedStateError) {
      io.stderr(`mock-entra: not starting — ${e.message}\n`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.stderr(`mock-entra: port ${port} is in use (try --port 0 or another port)\n`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    io.stderr(`mock-entra: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
