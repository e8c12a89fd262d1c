import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { resolveOptions, type MockEntraOptions, type ResolvedOptions } from './config/options.js';
import type { FixtureDocument } from './directory/model.js';
import type { MockContext } from './context.js';
import { loadFixturesCached } from './runtime/fixture-cache.js';
import { Sealer, newSealingKeyHex } from './keys/sealing.js';
import { loadMachineSigningKey } from './keys/signing-keys.js';
import { readOrCreate } from './keys/state-dir.js';
import { loadTls } from './keys/tls.js';
import { Tenants } from './runtime/tenants.js';
import { singleOrigin } from './runtime/urls.js';
import { IMPERSONATED_HOSTS } from './impersonation/clouds.js';
import { impersonatedUrls } from './impersonation/request-urls.js';
import { loadImpersonationAuthority } from './keys/impersonation-ca.js';
import { checkProxyOptions, proxyBanner, startMockProxy, type RunningMockProxy } from './proxy/mock-proxy.js';
import { MemoryStore } from './store/short-lived-store.js';
import { MockEntraControl } from './control-client.js';
import { CONTOSO } from './contoso.js';
import { describeTenant, type TenantInfo } from './surfaces/control/tenant-info.js';

/** A running mock. */
export interface RunningMockEntra {
  /** The public base URL (issuers, discovery and redirects use it). */
  url: string;
  /** The listen address (`0.0.0.0` in the container image). */
  host: string;
  /** Per tenant: verified domains, authority, discovery URL, issuer (as the test-control API describes it). */
  tenants: TenantInfo[];
  /** The local CA: pass `caPem` as `ca` to HTTPS clients, or `caPath` in NODE_EXTRA_CA_CERTS. Undefined on plain HTTP. */
  caPath: string | undefined;
  caPem: string | undefined;
  /** The test-control API client (with the control credential, when there is one). */
  control: MockEntraControl;
  /**
   * The control credential remote callers of /_mock/ send as `Authorization: Bearer`: the one
   * given (`controlToken`, MOCK_ENTRA_CONTROL_TOKEN), or one made at start because the mock
   * listens beyond loopback (`generated`; the start banner prints it). Undefined on loopback
   * without one, and with allowRemoteControl.
   */
  controlToken: { value: string; generated: boolean } | undefined;
  /**
   * Impersonation mode (`impersonate: true`): the Microsoft host names the mock answers as, and
   * the name-constrained CA their certificates come from (trust `caPem` / `caPath` to reach them;
   * `impersonateMicrosoft(mock)` routes a Node process there). Undefined otherwise.
   */
  impersonation: { hosts: string[]; caPem: string; caPath: string } | undefined;
  /**
   * The HTTPS forward proxy (`proxyPort`): its URL is the `HTTPS_PROXY` of clients that should
   * reach the mock under Microsoft's names (proxy/forward-proxy.ts). Undefined without one.
   */
  proxy: RunningMockProxy | undefined;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Everything `buildApp` needs: fixtures, keys, store. Shared by startMockEntra and tests. The
 * options resolve as `startMockEntra()`'s do: given > environment > defaults (config/options.ts).
 */
export async function createContext(options: MockEntraOptions = {}, listenPort?: number): Promise<MockContext> {
  return contextFor(resolveOptions(options), listenPort);
}

async function contextFor(opts: ResolvedOptions, listenPort?: number): Promise<MockContext> {
  const [doc, machineKey, sealingHex] = await Promise.all([
    loadFixtureSources(opts.fixtures, opts.stateDir),
    loadMachineSigningKey(opts.stateDir),
    readOrCreate(opts.stateDir, 'sealing-key.hex', async () => newSealingKeyHex()),
  ]);
  const port = listenPort ?? opts.port;
  const origin = opts.publicUrl ?? `${opts.tls ? 'https' : 'http'}://localhost:${port}`;
  const urls = singleOrigin(origin, opts.v1IssuerOrigin);
  const ctx: MockContext = {
    tenants: new Tenants(doc.tenants),
    urls,
    store: new MemoryStore(),
    sealer: new Sealer(Buffer.from(sealingHex.trim(), 'hex')),
    machineKey,
    options: opts,
    secure: opts.tls,
  };
  // Impersonating, every route's `ctx.urls` is the request's (impersonation/request-urls.ts).
  if (opts.impersonate) Object.defineProperty(ctx, 'urls', { get: impersonatedUrls(urls), enumerable: true });
  return ctx;
}

/**
 * The fixture reader (YAML, the JSON Schema compiled by ajv) is loaded only when something must
 * be read: files validated by an earlier start come from the state dir's cache (runtime/fixture-cache.ts).
 */
async function loadFixtureSources(sources: ResolvedOptions['fixtures'], stateDir: string): Promise<FixtureDocument> {
  const load = async (): Promise<FixtureDocument> => (await import('./directory/load-fixture.js')).loadFixtures(sources, { seal: true });
  const files = sources.filter((s): s is string => typeof s === 'string');
  return files.length === sources.length ? loadFixturesCached(files, stateDir, load) : load();
}

/**
 * Starts the mock and listens. With `port: 0` a free port is chosen and the public URL follows it.
 * Options not given here come from the environment (the CLI's variables, e.g. `MOCK_ENTRA_HTTP=1`),
 * then the defaults: config/options.ts, README "Options".
 *
 * @example
 * const mock = await startMockEntra({ port: 0 });
 * const config = await client.discovery(new URL(mock.tenants[0].authority + '/v2.0'), clientId, secret, undefined,
 *   { [client.customFetch]: (url, init) => fetch(url, { ...init, dispatcher: agentWithCa(mock.caPem) }) });
 * await mock.close();
 */
export async function startMockEntra(options: MockEntraOptions = {}): Promise<RunningMockEntra> {
  const resolved = resolveOptions(options);
  checkProxyOptions(resolved);
  const port = resolved.port === 0 ? await freePort(resolved.host) : resolved.port;
  // Listening beyond loopback, the control API needs a credential unless remote control was
  // opened on purpose (README: "--allow-remote-control without a token is unsafe"): 256 random bits.
  const generate = resolved.controlToken === undefined && !resolved.allowRemoteControl && !isLoopbackHost(resolved.host);
  // The proxy exists to serve Microsoft's names: asking for it is asking for impersonation.
  const impersonate = resolved.impersonate || resolved.proxyPort !== undefined;
  const opts = { ...resolved, port, impersonate, ...(generate ? { controlToken: randomBytes(32).toString('base64url') } : {}) };
  const ctx = await contextFor(opts);
  const hosts = [new URL(ctx.urls.login).hostname, ...opts.tlsHosts, ...(opts.host !== '0.0.0.0' && opts.host !== '::' ? [opts.host] : [])];
  const tls = opts.tls ? await loadTls(opts.stateDir, hosts) : undefined;
  ctx.caPem = tls?.caPem;
  const impersonation = opts.impersonate ? await loadImpersonationAuthority(opts.stateDir, [...IMPERSONATED_HOSTS.keys()], hosts) : undefined;
  const app = buildApp(ctx, tls ? { key: tls.key, cert: tls.cert } : undefined, impersonation);
  await app.listen({ host: opts.host, port });
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const proxy =
    opts.proxyPort !== undefined && impersonation
      ? await startMockProxy({ ...opts, proxyPort: opts.proxyPort }, { server: app.server, caPath: impersonation.caPath }, log).catch(async (e: unknown) => {
          await app.close();
          throw e;
        })
      : undefined;
  const url = ctx.urls.login;
  const control = new MockEntraControl(url, { ...(tls ? { ca: tls.caPem } : {}), ...(opts.controlToken ? { token: opts.controlToken } : {}) });
  return {
    url,
    host: opts.host,
    tenants: ctx.tenants.all().map((t) => describeTenant(url, t)),
    caPath: tls?.caPath,
    caPem: tls?.caPem,
    control,
    controlToken: opts.controlToken === undefined ? undefined : { value: opts.controlToken, generated: generate },
    impersonation: impersonation ? { hosts: [...IMPERSONATED_HOSTS.keys()], caPem: impersonation.caPem, caPath: impersonation.caPath } : undefined,
    proxy,
    app,
    close: async () => {
      await proxy?.close();
      ctx.store.close();
      await app.close();
    },
  };
}

/** 127.0.0.0/8, ::1, localhost: the addresses only this machine reaches. */
function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * What `mock-entra serve` prints once the mock listens: its URL, each tenant's authority and
 * discovery URL, how to trust the CA, the default tenant's credentials, where the test-control
 * API is. Listening beyond loopback (a container), it also prints the CA itself and a generated
 * control credential: the log is where a container's user finds them.
 */
export function startBanner(
  mock: Pick<RunningMockEntra, 'url' | 'tenants' | 'caPath'> & Partial<Pick<RunningMockEntra, 'host' | 'caPem' | 'controlToken' | 'impersonation' | 'proxy'>>,
  /** The state directory when one was chosen (`--state-dir`, MOCK_ENTRA_STATE_DIR): `mock-entra ca` must be told it too. */
  given: { stateDir?: string } = {},
): string {
  const lines = [`mock-entra is serving ${mock.url}`, ''];
  for (const t of mock.tenants) lines.push(`  tenant ${t.displayName} (${t.id})`, `    authority   ${t.authority}`, `    discovery   ${t.discoveryUrl}`);
  if (mock.caPath) {
    lines.push(
      '',
      `CA certificate: ${mock.caPath}`,
      `  trust it in Node:  export NODE_EXTRA_CA_CERTS=${mock.caPath}   (before node starts)`,
      `  print it:          npx mock-entra ca${given.stateDir ? ` --state-dir ${shellWord(given.stateDir)}` : ''}`,
    );
    if (mock.host !== undefined && !isLoopbackHost(mock.host) && mock.caPem) {
      lines.push(`  fetch it:          ${mock.url}/_mock/ca.pem   (other containers and machines)`, '', mock.caPem.trimEnd());
    }
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
  if (mock.impersonation) {
    lines.push(
      '',
      "Impersonating Microsoft's host names (README: Unmodified apps):",
      ...wrapList(mock.impersonation.hosts),
      `  their CA (name-constrained to those names and the mock's own): ${mock.impersonation.caPath}`,
      `  route a Node process here:  MOCK_ENTRA_URL=${mock.url} MOCK_ENTRA_CA=${mock.impersonation.caPath} NODE_OPTIONS="--import mock-entra/impersonate"`,
    );
  }
  if (mock.proxy) lines.push('', proxyBanner(mock.proxy).trimEnd());
  lines.push('', 'Test-control API: ' + mock.url + '/_mock/tenants   (Ctrl-C to stop)');
  lines.push('Console:          ' + mock.url + '/_mock/ui');
  if (mock.controlToken?.generated) {
    lines.push(`  control credential (callers beyond loopback send it): Authorization: Bearer ${mock.controlToken.value}`);
  } else if (mock.controlToken) {
    lines.push('  control credential: the one given (--control-token, MOCK_ENTRA_CONTROL_TOKEN)');
  }
  lines.push('');
  return lines.join('\n');
}

/** Host names, a few to a line, indented. */
function wrapList(names: string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += 4) lines.push(`  ${names.slice(i, i + 4).join(', ')}`);
  return lines;
}

/** A word a POSIX shell reads back as it is: quoted only when it needs to be. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

async function freePort(host: string): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
