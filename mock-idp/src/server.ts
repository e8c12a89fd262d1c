import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { CONTROL_LIMIT_DEFAULTS, type MockEntraOptions, type ResolvedOptions } from './config/options.js';
import type { FixtureDocument } from './directory/model.js';
import type { MockContext } from './context.js';
import { DEFAULT_FIXTURE_PATH } from './directory/default-fixture.js';
import { loadFixturesCached } from './runtime/fixture-cache.js';
import { Sealer, newSealingKeyHex } from './keys/sealing.js';
import { loadMachineSigningKey } from './keys/signing-keys.js';
import { defaultStateDir, readOrCreate } from './keys/state-dir.js';
import { loadTls } from './keys/tls.js';
import { Tenants } from './runtime/tenants.js';
import type { PublicUrls } from './runtime/urls.js';
import { MemoryStore } from './store/short-lived-store.js';
import { MockEntraControl } from './control-client.js';

export const DEFAULT_PORT = 8443;

export function resolveOptions(o: MockEntraOptions = {}): ResolvedOptions {
  return {
    fixtures: o.fixtures && o.fixtures.length > 0 ? o.fixtures : [DEFAULT_FIXTURE_PATH],
    // '' would make Node listen on every interface: an empty host means the default, loopback.
    host: o.host || '127.0.0.1',
    port: o.port ?? DEFAULT_PORT,
    tls: o.tls ?? true,
    publicUrl: o.publicUrl?.replace(/\/+$/, ''),
    tlsHosts: o.tlsHosts ?? [],
    stateDir: o.stateDir ?? defaultStateDir(),
    v1IssuerOrigin: (o.v1IssuerOrigin ?? 'https://sts.windows.net').replace(/\/+$/, ''),
    allowRemoteControl: o.allowRemoteControl ?? false,
    // '' (an unset MOCK_ENTRA_CONTROL_TOKEN from a template) means no credential, never an empty one.
    controlToken: o.controlToken || undefined,
    maxTenants: limit('maxTenants', o.maxTenants, CONTROL_LIMIT_DEFAULTS.maxTenants),
    maxGeneratedUsers: limit('maxGeneratedUsers', o.maxGeneratedUsers, CONTROL_LIMIT_DEFAULTS.maxGeneratedUsers),
    maxGeneratedGroups: limit('maxGeneratedGroups', o.maxGeneratedGroups, CONTROL_LIMIT_DEFAULTS.maxGeneratedGroups),
    logger: o.logger ?? false,
  };
}

/** A limit of the test-control API (config/options.ts): a whole number ≥ 0, or its default. */
function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0, not ${value}`);
  return value;
}

/** A running mock. */
export interface RunningMockEntra {
  /** The public base URL (issuers, discovery and redirects use it). */
  url: string;
  /** Per tenant: authority, discovery URL, issuer. */
  tenants: Array<{ id: string; displayName: string; authority: string; discoveryUrl: string; issuer: string }>;
  /** The local CA: pass `caPem` as `ca` to HTTPS clients, or `caPath` in NODE_EXTRA_CA_CERTS. Undefined on plain HTTP. */
  caPath: string | undefined;
  caPem: string | undefined;
  /** The test-control API client. */
  control: MockEntraControl;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Everything `buildApp` needs: fixtures, keys, store. Shared by startMockEntra and tests. */
export async function createContext(options: MockEntraOptions = {}, listenPort?: number): Promise<MockContext> {
  const opts = resolveOptions(options);
  const [doc, machineKey, sealingHex] = await Promise.all([
    loadFixtureSources(opts.fixtures, opts.stateDir),
    loadMachineSigningKey(opts.stateDir),
    readOrCreate(opts.stateDir, 'sealing-key.hex', async () => newSealingKeyHex()),
  ]);
  const port = listenPort ?? opts.port;
  const origin = opts.publicUrl ?? `${opts.tls ? 'https' : 'http'}://localhost:${port}`;
  const urls: PublicUrls = { login: origin, graph: origin, v1Issuer: opts.v1IssuerOrigin };
  return {
    tenants: new Tenants(doc.tenants),
    urls,
    store: new MemoryStore(),
    sealer: new Sealer(Buffer.from(sealingHex.trim(), 'hex')),
    machineKey,
    options: opts,
    secure: opts.tls,
  };
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
 *
 * @example
 * const mock = await startMockEntra({ port: 0 });
 * const config = await client.discovery(new URL(mock.tenants[0].authority + '/v2.0'), clientId, secret, undefined,
 *   { [client.customFetch]: (url, init) => fetch(url, { ...init, dispatcher: agentWithCa(mock.caPem) }) });
 * await mock.close();
 */
export async function startMockEntra(options: MockEntraOptions = {}): Promise<RunningMockEntra> {
  const opts = resolveOptions(options);
  let port = opts.port;
  if (port === 0) port = await freePort(opts.host);
  const ctx = await createContext({ ...options, port }, port);
  const hosts = [new URL(ctx.urls.login).hostname, ...opts.tlsHosts, ...(opts.host !== '0.0.0.0' && opts.host !== '::' ? [opts.host] : [])];
  const tls = opts.tls ? await loadTls(opts.stateDir, hosts) : undefined;
  const app = buildApp(ctx, tls ? { key: tls.key, cert: tls.cert } : undefined);
  await app.listen({ host: opts.host, port });
  const url = ctx.urls.login;
  const control = new MockEntraControl(url, { ...(tls ? { ca: tls.caPem } : {}), ...(opts.controlToken ? { token: opts.controlToken } : {}) });
  return {
    url,
    tenants: ctx.tenants.all().map((t) => ({
      id: t.id,
      displayName: t.directory.displayName,
      authority: `${url}/${t.id}`,
      discoveryUrl: `${url}/${t.id}/v2.0/.well-known/openid-configuration`,
      issuer: `${url}/${t.id}/v2.0`,
    })),
    caPath: tls?.caPath,
    caPem: tls?.caPem,
    control,
    app,
    close: async () => {
      ctx.store.close();
      await app.close();
    },
  };
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
