#!/usr/bin/env node
import { resolve } from 'node:path';
import { FixtureError, OptionError, optionsFromArgs, serveOptionsHelp, startBanner, startMockEntra, UntrustedStateError } from '../mock-idp/src/index.js';

const HELP = `mock-entra — a mock Microsoft Entra ID and Microsoft Graph

Usage:
  mock-entra [serve] [options]        start the mock (default command)
  mock-entra ca [--state-dir DIR]     print the local CA certificate (PEM)
  mock-entra fixtures validate FILE…  check fixture files, every error with file and JSON path
  mock-entra fixtures import MANIFEST turn an app registration manifest into a fixture
  mock-entra fixtures generate …      write a tenant with generated users and groups (see fixtures help)
  mock-entra scenarios list|run …     the scenario suite (mock-entra scenarios --help)
  mock-entra conform TARGET …         the catalog against your relying party (mock-entra conform --help)

${serveOptionsHelp()}`;

const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s) };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv[0] && !argv[0].startsWith('-') ? argv : ['serve', ...argv];
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'ca': {
      const { runCaCommand } = await import('./ca-command.js');
      return runCaCommand(rest, io);
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
    case 'conform': {
      // Loaded on demand, like scenarios: vitest and the browser tooling.
      const { runConformCommand } = await import('./conform-command.js');
      return runConformCommand(rest, io);
    }
    case 'help':
      io.stdout(HELP);
      return 0;
    default:
      io.stderr(`mock-entra: unknown command '${command}'\n\n${HELP}`);
      return 2;
  }
}

async function serve(args: string[]): Promise<number> {
  let port: number | undefined;
  try {
    // Flags here; the environment and the defaults are resolved with them by startMockEntra (config/options.ts).
    const { options, help } = optionsFromArgs(args);
    if (help) {
      io.stdout(HELP);
      return 0;
    }
    port = options.port;
    const mock = await startMockEntra(options);
    // A state directory the user chose is one `mock-entra ca` must be told as well.
    const stateDir = options.stateDir ?? (process.env.MOCK_ENTRA_STATE_DIR || undefined);
    io.stdout(startBanner(mock, stateDir === undefined ? {} : { stateDir: resolve(stateDir) }));
    const stop = (): void => {
      void mock.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1; // keep running
  } catch (e) {
    if (e instanceof OptionError) {
      io.stderr(`mock-entra: ${e.message}\n`);
      return 2;
    }
    if (e instanceof FixtureError || e instanceof UntrustedStateError) {
      io.stderr(`mock-entra: not starting — ${e.message}\n`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.stderr(`mock-entra: port ${(e as { port?: number }).port ?? port} is in use (try --port 0 or another port)\n`);
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
