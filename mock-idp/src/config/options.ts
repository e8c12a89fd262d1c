import { parseArgs } from 'node:util';
import { DEFAULT_FIXTURE_PATH } from '../directory/default-fixture.js';
import type { FixtureDocument, FixtureSource } from '../directory/model.js';
import { defaultStateDir } from '../keys/state-dir.js';

/**
 * Every option of the mock, declared once ({@link OPTIONS}): its name in code, its command-line
 * flag, its environment variable, its kind, its default and its help. The CLI
 * (`mock-entra serve`) and `startMockEntra()` resolve through {@link resolveOptions}; `mock-entra
 * --help` ({@link serveOptionsHelp}) and the README's option table ({@link optionsTable}, printed
 * by `npm run docs:options`) are generated from the declarations, and a test keeps the README in
 * step.
 *
 * Precedence: what the caller gives (the CLI's flags, or the options passed to `startMockEntra()`)
 * > the environment > the default. An empty value (`MOCK_ENTRA_HOST=` from a template, `host: ''`)
 * counts as not given: an empty host would make Node listen on every interface.
 */

/** Everything the mock can be told. Flags, environment variables and defaults: {@link OPTIONS} (README, Options). */
export interface MockEntraOptions {
  /** Fixture files (YAML or JSON), or fixture documents (tenants may `extends` and `generate`). Default: the shipped Contoso tenant. */
  fixtures?: Array<string | FixtureDocument | FixtureSource>;
  /** Listen address. Default 127.0.0.1: a mock that mints tokens stays on loopback unless asked. */
  host?: string;
  /** Listen port; 0 picks a free one. Default 8443. */
  port?: number;
  /** Serve HTTPS with the local CA (default) or plain HTTP (`false`). */
  tls?: boolean;
  /**
   * The origin that appears in issuers, discovery documents and redirects, when it differs from
   * the listen address (a container reached as https://mock-entra:8443). Default:
   * `{scheme}://localhost:{port}`.
   */
  publicUrl?: string;
  /** Extra host names for the TLS certificate (the public URL's host is always included). */
  tlsHosts?: string[];
  /**
   * Impersonation mode: the mock also answers as login.microsoftonline.com, graph.microsoft.com and
   * Microsoft's other host names (national clouds too), with certificates from a name-constrained
   * CA, so unmodified clients run against it once routed there (README "Unmodified apps"). HTTPS only. Default false.
   */
  impersonate?: boolean;
  /** Where keys and the CA are kept. Default: see keys/state-dir.ts. */
  stateDir?: string;
  /**
   * Issuer origin of v1 tokens. Entra's is https://sts.windows.net (a host nobody calls), and
   * APIs hard-code it, so that is the default. In code only.
   */
  v1IssuerOrigin?: string;
  /** Let non-loopback callers use /_mock/ (the test-control API) without a credential. Unsafe; default false. */
  allowRemoteControl?: boolean;
  /**
   * The control credential: a request to /_mock/ with `Authorization: Bearer <token>` passes the
   * loopback and Host checks (a container's control API, reached from the docker host as
   * `docker:49153` through a mapped port). Without it, loopback callers need no credential; with
   * it set, a wrong or foreign `Authorization` is a 401. Default: none on loopback; listening
   * beyond it (and without allowRemoteControl), one generated at start and printed.
   */
  controlToken?: string;
  /**
   * Most tenants that may exist; `POST /_mock/tenants` beyond it is refused (409). Tenants from
   * the fixtures given at start count, but are never refused. Default 100.
   */
  maxTenants?: number;
  /** Most users one control-API request may `generate` (fixtures given at start are not bound). Default 10,000. */
  maxGeneratedUsers?: number;
  /** Most groups one control-API request may `generate`. Default 5,000. */
  maxGeneratedGroups?: number;
  /** Fastify's request log on stdout, secrets masked. Default false. */
  logger?: boolean;
  /**
   * Start the HTTPS forward proxy on this port (0 = a free one): clients given it as
   * `HTTPS_PROXY` reach the mock under Microsoft's host names (impersonation mode). Default: no proxy.
   */
  proxyPort?: number;
  /** The proxy's listen address. Default 127.0.0.1: a way into a token-minting mock stays on loopback unless asked. */
  proxyHost?: string;
  /**
   * Hosts the proxy tunnels as they are (`api.example.com`, `*.example.com`, `*` for all); every
   * other host that is not impersonated is refused. Default none.
   */
  proxyPassThrough?: string[];
}

export interface ResolvedOptions {
  fixtures: Array<string | FixtureDocument | FixtureSource>;
  host: string;
  port: number;
  tls: boolean;
  publicUrl: string | undefined;
  tlsHosts: string[];
  impersonate: boolean;
  stateDir: string;
  v1IssuerOrigin: string;
  allowRemoteControl: boolean;
  controlToken: string | undefined;
  maxTenants: number;
  maxGeneratedUsers: number;
  maxGeneratedGroups: number;
  logger: boolean;
  proxyPort: number | undefined;
  proxyHost: string;
  proxyPassThrough: string[];
}

/**
 * What the test-control API may create, unless raised by the options above. One 192-byte
 * `POST /_mock/tenants` asking to generate 200,000 users and 20,000 groups held the event loop
 * for 1.9 s and took 210 MiB; the schema alone allows a million of each.
 * - 10,000 users and 5,000 groups per request: above every paging case (Graph pages hold at
 *   most 999 objects, https://learn.microsoft.com/en-us/graph/paging), users over the 200-group
 *   token limit (https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference#groups-overage-claim)
 *   and the shipped 2,000-group sync scenario; measured at about 0.2 s and 9 MiB per tenant.
 *   A bigger tenant belongs in a fixture file given at start (`--fixture`, not bound), or raise
 *   the limits.
 * - 100 tenants: parallel test runs each make a tenant and delete it, so a run holds about as
 *   many as it has workers; 100 leaves room for what a long session leaks while bounding what a
 *   loop of creates can hold (100 × the largest generated tenant: about 1 GiB).
 */
export const CONTROL_LIMIT_DEFAULTS = { maxTenants: 100, maxGeneratedUsers: 10_000, maxGeneratedGroups: 5_000 } as const;

/** The listen address unless told otherwise: loopback (DESIGN: a mock that mints tokens never listens publicly unasked). */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8443;

/**
 * How an option's value is written on the command line and in the environment:
 * - `text`: a string;
 * - `list`: a repeatable flag, a comma-separated variable;
 * - `port`: a whole number from 0 to 65535;
 * - `count`: a whole number ≥ 0;
 * - `switch`: a flag without a value, a variable set to 1, true or yes; `inverted` when the flag
 *   turns the option off (`--http` is `tls: false`).
 */
export type OptionKind = 'text' | 'list' | 'port' | 'count' | 'switch';

/** One option's declaration. `flag` and `env` are absent for options set in code only. */
export interface OptionDeclaration<K extends keyof ResolvedOptions> {
  kind: OptionKind;
  /** The long flag without its dashes (`port` is `--port`). */
  flag?: string;
  short?: string;
  /** The value's placeholder in `--help` and the README (`--port N`). */
  placeholder?: string;
  env?: string;
  /** `switch` options whose flag turns them off. */
  inverted?: boolean;
  /** The default, computed when the option is resolved (the state directory depends on the environment). */
  fallback: () => ResolvedOptions[K];
  /** The default as `--help` and the README write it. */
  shownDefault: string;
  /** One line for `--help`. */
  help: string;
  /** The README's "meaning" column: `help`, unless a longer explanation is useful there. */
  meaning?: string;
}

type Declarations = { [K in keyof ResolvedOptions]: OptionDeclaration<K> };

/** Every option, in the order `--help` and the README list them. */
export const OPTIONS: Declarations = {
  fixtures: {
    kind: 'list',
    flag: 'fixture',
    short: 'f',
    placeholder: 'FILE',
    env: 'MOCK_ENTRA_FIXTURES',
    fallback: () => [DEFAULT_FIXTURE_PATH],
    shownDefault: 'fixtures/contoso.yaml',
    help: 'fixture file, repeatable',
    meaning: 'tenants to serve',
  },
  port: {
    kind: 'port',
    flag: 'port',
    short: 'p',
    placeholder: 'N',
    env: 'MOCK_ENTRA_PORT',
    fallback: () => DEFAULT_PORT,
    shownDefault: String(DEFAULT_PORT),
    help: 'port, 0 = any free one',
    meaning: '`0` picks a free port',
  },
  host: {
    kind: 'text',
    flag: 'host',
    short: 'H',
    placeholder: 'ADDR',
    env: 'MOCK_ENTRA_HOST',
    fallback: () => DEFAULT_HOST,
    shownDefault: DEFAULT_HOST,
    help: 'listen address',
    meaning: 'listen address; the mock mints tokens, so it stays on loopback unless you ask',
  },
  tls: {
    kind: 'switch',
    flag: 'http',
    inverted: true,
    env: 'MOCK_ENTRA_HTTP',
    fallback: () => true,
    shownDefault: 'HTTPS',
    help: 'plain HTTP instead of HTTPS',
    meaning: 'plain HTTP',
  },
  publicUrl: {
    kind: 'text',
    flag: 'public-url',
    placeholder: 'URL',
    env: 'MOCK_ENTRA_PUBLIC_URL',
    fallback: () => undefined,
    shownDefault: 'https://localhost:<port>',
    help: 'origin in issuers, discovery, redirects',
    meaning:
      'origin used in issuers, discovery and redirects, when clients reach the mock under another name (e.g. `https://mock-entra:8443` in a Docker network)',
  },
  tlsHosts: {
    kind: 'list',
    flag: 'tls-host',
    placeholder: 'NAME',
    env: 'MOCK_ENTRA_TLS_HOSTS',
    fallback: () => [],
    shownDefault: '—',
    help: 'extra certificate host, repeatable',
    meaning: "extra names on the TLS certificate (the public URL's host is always on it)",
  },
  impersonate: {
    kind: 'switch',
    flag: 'impersonate',
    env: 'MOCK_ENTRA_IMPERSONATE',
    fallback: () => false,
    shownDefault: 'off',
    help: "answer as Microsoft's host names (login.microsoftonline.com, …)",
    meaning:
      "also answer as Microsoft's host names (login.microsoftonline.com, graph.microsoft.com, national clouds) with certificates from a name-constrained CA, for unmodified apps (README, Unmodified apps); HTTPS only",
  },
  stateDir: {
    kind: 'text',
    flag: 'state-dir',
    placeholder: 'DIR',
    env: 'MOCK_ENTRA_STATE_DIR',
    fallback: () => defaultStateDir(),
    shownDefault: '$XDG_STATE_HOME/mock-entra or ~/.local/state/mock-entra',
    help: 'keys and CA live here',
    meaning: 'where the signing key, the CA and the sealing key are kept',
  },
  v1IssuerOrigin: {
    kind: 'text',
    fallback: () => 'https://sts.windows.net',
    shownDefault: 'https://sts.windows.net',
    help: 'issuer origin of v1 tokens (in code only)',
  },
  allowRemoteControl: {
    kind: 'switch',
    flag: 'allow-remote-control',
    env: 'MOCK_ENTRA_REMOTE_CONTROL',
    fallback: () => false,
    shownDefault: 'off',
    help: 'let non-loopback callers use /_mock/ (unsafe)',
    meaning:
      'let non-loopback callers use `/_mock/` without a credential — unsafe: anyone who reaches the port rewrites what the mock trusts; prefer `--control-token`',
  },
  controlToken: {
    kind: 'text',
    flag: 'control-token',
    placeholder: 'TOKEN',
    env: 'MOCK_ENTRA_CONTROL_TOKEN',
    fallback: () => undefined,
    shownDefault: '—',
    help: 'control credential (Authorization: Bearer TOKEN)',
    meaning:
      'the control credential: a request with `Authorization: Bearer TOKEN` reaches `/_mock/` from any address and under any host name (a container behind a mapped port); listening beyond loopback, the mock makes one and prints it unless given one',
  },
  maxTenants: {
    kind: 'count',
    flag: 'max-tenants',
    placeholder: 'N',
    env: 'MOCK_ENTRA_MAX_TENANTS',
    fallback: () => CONTROL_LIMIT_DEFAULTS.maxTenants,
    shownDefault: String(CONTROL_LIMIT_DEFAULTS.maxTenants),
    help: 'most tenants; more via /_mock/ refused',
    meaning: 'most tenants that may exist; creating one more through `/_mock/` is refused',
  },
  maxGeneratedUsers: {
    kind: 'count',
    flag: 'max-generated-users',
    placeholder: 'N',
    env: 'MOCK_ENTRA_MAX_GENERATED_USERS',
    fallback: () => CONTROL_LIMIT_DEFAULTS.maxGeneratedUsers,
    shownDefault: String(CONTROL_LIMIT_DEFAULTS.maxGeneratedUsers),
    help: 'most users a /_mock/ request generates',
    meaning: 'most users one `/_mock/` request may generate (fixture files given at start are not bound)',
  },
  maxGeneratedGroups: {
    kind: 'count',
    flag: 'max-generated-groups',
    placeholder: 'N',
    env: 'MOCK_ENTRA_MAX_GENERATED_GROUPS',
    fallback: () => CONTROL_LIMIT_DEFAULTS.maxGeneratedGroups,
    shownDefault: String(CONTROL_LIMIT_DEFAULTS.maxGeneratedGroups),
    help: 'most groups a /_mock/ request generates',
    meaning: 'most groups one `/_mock/` request may generate',
  },
  logger: {
    kind: 'switch',
    flag: 'log',
    env: 'MOCK_ENTRA_LOG',
    fallback: () => false,
    shownDefault: 'off',
    help: "request log on stdout (Fastify's; secrets masked)",
    meaning: "Fastify's request log on stdout, secrets masked",
  },
  proxyPort: {
    kind: 'port',
    flag: 'proxy-port',
    placeholder: 'N',
    env: 'MOCK_ENTRA_PROXY_PORT',
    fallback: () => undefined,
    shownDefault: '—',
    help: 'HTTPS proxy for Microsoft host names on this port',
    meaning:
      'start the HTTPS forward proxy on this port (`0` = a free one): clients with `HTTPS_PROXY` pointing at it reach the mock as `login.microsoftonline.com`, `graph.microsoft.com`… (impersonation mode); other hosts are refused',
  },
  proxyHost: {
    kind: 'text',
    flag: 'proxy-host',
    placeholder: 'ADDR',
    env: 'MOCK_ENTRA_PROXY_HOST',
    fallback: () => DEFAULT_HOST,
    shownDefault: DEFAULT_HOST,
    help: "the proxy's listen address",
    meaning: "the proxy's listen address; like the mock's, loopback unless you ask",
  },
  proxyPassThrough: {
    kind: 'list',
    flag: 'proxy-pass-through',
    placeholder: 'HOST',
    env: 'MOCK_ENTRA_PROXY_PASS_THROUGH',
    fallback: () => [],
    shownDefault: '—',
    help: 'host the proxy tunnels as is (*.domain, * = all), repeatable',
    meaning:
      'a host the proxy tunnels unchanged (`api.example.com`, `*.example.com`, `*` = every host); without it, a CONNECT to any host the mock does not impersonate is refused (403) — an open proxy on a container network relays requests to anything it can reach',
  },
};

export type OptionName = keyof ResolvedOptions;
const NAMES = Object.keys(OPTIONS) as OptionName[];

/** An option's value that cannot be used; the message names where it came from (flag, variable or option). */
export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

/** An option the command line takes: its name, its declaration, its flag (without the dashes). */
interface CommandLineOption {
  name: OptionName;
  o: OptionDeclaration<OptionName>;
  flag: string;
}

const COMMAND_LINE: CommandLineOption[] = NAMES.flatMap((name) => {
  const o: OptionDeclaration<OptionName> = OPTIONS[name];
  return o.flag === undefined ? [] : [{ name, o, flag: o.flag }];
});

/** `--port N`: the flag with its placeholder. */
const longFlag = ({ o, flag }: CommandLineOption): string => `--${flag}${o.placeholder ? ` ${o.placeholder}` : ''}`;

/** `MOCK_ENTRA_HTTP=1` for a switch, else the variable's name. */
const envName = (o: OptionDeclaration<OptionName>): string | undefined => (o.kind === 'switch' && o.env !== undefined ? `${o.env}=1` : o.env);

/** Where to raise a limit, as the control API's refusals say it: `--max-tenants N (MOCK_ENTRA_MAX_TENANTS)`. */
export function optionHint(name: OptionName): string {
  const o: OptionDeclaration<OptionName> = OPTIONS[name];
  return `${longFlag({ name, o, flag: o.flag ?? name })} (${o.env})`;
}

/**
 * The options in force: `given` (the CLI's flags, or what `startMockEntra()` was passed) over the
 * environment over the defaults. Throws an {@link OptionError} naming the option, flag or
 * variable whose value cannot be used.
 *
 * @example
 * resolveOptions({ port: 0 }, { MOCK_ENTRA_HTTP: '1' }); // { port: 0, tls: false, host: '127.0.0.1', … }
 */
export function resolveOptions(given: MockEntraOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const out: Partial<Record<OptionName, unknown>> = {};
  for (const name of NAMES) {
    const o: OptionDeclaration<OptionName> = OPTIONS[name];
    const fromCode = given[name];
    const envText = o.env === undefined ? undefined : env[o.env];
    out[name] = isGiven(fromCode)
      ? checkedValue(name, fromCode)
      : envText !== undefined && envText.trim() !== ''
        ? fromText(name, envText, o.env!)
        : o.fallback();
  }
  const resolved = out as ResolvedOptions;
  // Microsoft's names are only ever reached over HTTPS: a client would refuse them in plain HTTP.
  if (resolved.impersonate && !resolved.tls)
    throw new OptionError('--impersonate (MOCK_ENTRA_IMPERSONATE, impersonate) needs HTTPS: drop --http (MOCK_ENTRA_HTTP)');
  return {
    ...resolved,
    publicUrl: resolved.publicUrl?.replace(/\/+$/, ''),
    v1IssuerOrigin: resolved.v1IssuerOrigin.replace(/\/+$/, ''),
  };
}

/** Empty strings and empty lists are not given: the default (or the environment) applies. */
function isGiven(value: unknown): boolean {
  if (value === undefined || value === '') return false;
  return !(Array.isArray(value) && value.length === 0);
}

/** A value given in code, checked like the same value given as text. */
function checkedValue(name: OptionName, value: unknown): unknown {
  const kind = OPTIONS[name].kind;
  if (kind === 'port' && !(typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535)) {
    throw new OptionError(`${name} must be a number from 0 to 65535, not ${String(value)}`);
  }
  if (kind === 'count' && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    throw new OptionError(`${name} must be a whole number ≥ 0, not ${String(value)}`);
  }
  return value;
}

/**
 * A value written as text (a flag's or a variable's), read as its kind. `source` names it in a
 * refusal: `--port` or `MOCK_ENTRA_PORT`.
 */
export function fromText(name: OptionName, text: string, source: string): unknown {
  const o: OptionDeclaration<OptionName> = OPTIONS[name];
  switch (o.kind) {
    case 'text':
      return text;
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'port': {
      const port = Number(text);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OptionError(`${source} must be a number from 0 to 65535, not '${text}'`);
      return port;
    }
    case 'count': {
      const n = Number(text);
      if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new OptionError(`${source} must be a whole number ≥ 0, not '${text}'`);
      return n;
    }
    case 'switch': {
      const on = ['1', 'true', 'yes'].includes(text.trim().toLowerCase());
      return o.inverted ? !on : on;
    }
  }
}

/**
 * `mock-entra serve`'s arguments as options (the environment and the defaults are
 * {@link resolveOptions}'s). Flags are declared in {@link OPTIONS}; `-h, --help` asks for help.
 */
export function optionsFromArgs(args: string[]): { options: MockEntraOptions; help: boolean } {
  const { values } = parseArgs({ args, options: parseArgsConfig(), strict: true });
  const options: Record<string, unknown> = {};
  for (const { name, o, flag } of COMMAND_LINE) {
    const value = values[flag];
    if (value === undefined) continue;
    if (typeof value === 'boolean') options[name] = o.inverted ? !value : value;
    else if (Array.isArray(value)) options[name] = value.filter((v): v is string => typeof v === 'string' && v !== '');
    else if (value !== '') options[name] = fromText(name, value, `--${flag}`);
  }
  return { options: options as MockEntraOptions, help: values.help === true };
}

function parseArgsConfig(): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const { o, flag } of COMMAND_LINE) {
    config[flag] = {
      type: o.kind === 'switch' ? 'boolean' : 'string',
      ...(o.short ? { short: o.short } : {}),
      ...(o.kind === 'list' ? { multiple: true } : {}),
    };
  }
  return config;
}

/** The longest line of `--help`'s option list. */
const MAX_LINE = 110;

/** `mock-entra --help`'s section of serve options: flag, help with the default, the variable in brackets. */
export function serveOptionsHelp(): string {
  const rows = COMMAND_LINE.map((c) => {
    const { o } = c;
    const shown = o.kind === 'switch' || o.shownDefault === '—' || o.shownDefault.includes(' ') ? '' : ` (${o.shownDefault})`;
    return {
      flag: o.short ? `  -${o.short}, ${longFlag(c)}` : `      ${longFlag(c)}`,
      help: `${o.help}${shown}`,
      env: `[${envName(o)}${o.kind === 'list' ? ', comma-separated' : ''}]`,
    };
  });
  const flagWidth = Math.max(...rows.map((r) => r.flag.length)) + 2;
  // A line that would run past MAX_LINE puts the variable on a line of its own, under the help.
  const lines = rows.flatMap((r) => {
    const line = `${r.flag.padEnd(flagWidth)}${r.help}  ${r.env}`;
    return line.length <= MAX_LINE ? [line] : [`${r.flag.padEnd(flagWidth)}${r.help}`, `${' '.repeat(flagWidth)}${r.env}`];
  });
  return ['serve options (environment variable in brackets):', ...lines, '  -h, --help', ''].join('\n');
}

/** The README's "### Options" table (`npm run docs:options` prints it). */
export function optionsTable(): string {
  const code = (s: string): string => `\`${s}\``;
  const rows = COMMAND_LINE.map((c) => {
    const { o } = c;
    const flag = `${o.short ? `-${o.short}, ` : ''}${longFlag(c)}`;
    const env = o.env === undefined ? '—' : `${code(envName(o)!)}${o.kind === 'list' ? ' (comma-separated)' : ''}`;
    const shown = o.shownDefault === '—' || /^[a-z]+$|^HTTPS$/.test(o.shownDefault) ? o.shownDefault : o.shownDefault.split(' or ').map(code).join(' or ');
    return `| ${code(flag)}${o.kind === 'list' ? ' (repeatable)' : ''} | ${env} | ${shown} | ${o.meaning ?? o.help} |`;
  });
  return ['| flag | environment | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
