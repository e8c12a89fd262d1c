import type * as HttpsModule from 'node:https';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type * as Undici from 'undici';
import type { Agent, Dispatcher } from 'undici';
import { IMPERSONATED_HOSTS } from './clouds.js';

/**
 * The in-process route: Microsoft's host names, in this Node process, reach the mock instead of
 * Microsoft. For the global `fetch` (MSAL Node, openid-client, Auth.js and the Graph SDK use it) a
 * global dispatcher sends requests for those names to the mock's address — SNI and Host stay the
 * Microsoft name, trusting the impersonation CA and nothing else — and hands every other origin to
 * the dispatcher that was there before. For `node:https` (@azure/identity's pipeline) the same
 * names get an agent that connects to the mock; every other request is left as it was. The undo
 * function restores both. Node's fetch ignores HTTPS_PROXY, hence this (README: Unmodified apps).
 */

/** Where the mock is and the impersonation CA to trust: a running mock, or its URL and CA (PEM). */
export type ImpersonationTarget = { url: string; ca: string } | { url: string; impersonation: { caPem: string } | undefined };

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** node:https's own exports object (an ESM namespace cannot be patched); syncBuiltinESMExports publishes the change. */
const require = createRequire(import.meta.url);
const https = require('node:https') as typeof HttpsModule;

/** Routes Microsoft's host names to the mock for `fetch` and `node:https`; returns the undo. */
export function impersonateMicrosoft(target: ImpersonationTarget): () => void {
  const ca = 'ca' in target ? target.ca : target.impersonation?.caPem;
  if (ca === undefined) throw new Error('impersonateMicrosoft: this mock is not impersonating — start it with impersonate: true (serve --impersonate)');
  const mock = new URL(target.url);
  if (mock.protocol !== 'https:') throw new Error(`impersonateMicrosoft: the mock must be served over HTTPS (${target.url})`);
  const address = { host: mock.hostname.replace(/^\[|\]$/g, ''), port: Number(mock.port || 443) };
  const undoFetch = routeFetch(address, ca);
  const undoHttps = routeHttps(address, ca);
  return () => {
    undoHttps();
    undoFetch();
  };
}

interface Address {
  host: string;
  port: number;
}

/** A Microsoft origin as the route takes it: https, default port. */
function isMicrosoftOrigin(origin: string | URL | undefined): boolean {
  if (origin === undefined) return false;
  const u = typeof origin === 'string' ? new URL(origin) : origin;
  return u.protocol === 'https:' && (u.port === '' || u.port === '443') && IMPERSONATED_HOSTS.has(u.hostname.toLowerCase());
}

/**
 * undici is loaded here, when a route is made, not when `mock-entra` is imported: it takes a
 * few hundred milliseconds to load, and the mock itself never needs it.
 */
function routeFetch(address: Address, ca: string): () => void {
  const { Agent, Dispatcher, buildConnector, getGlobalDispatcher, setGlobalDispatcher } = require('undici') as typeof Undici;
  /** Sends Microsoft origins to `microsoft`, everything else to `others`. */
  class MicrosoftRoute extends Dispatcher {
    constructor(
      private readonly microsoft: Agent,
      private readonly others: Dispatcher,
    ) {
      super();
    }

    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      return (isMicrosoftOrigin(options.origin ?? undefined) ? this.microsoft : this.others).dispatch(options, handler);
    }

    override close(): Promise<void> {
      return this.microsoft.close();
    }

    override destroy(): Promise<void> {
      return this.microsoft.destroy();
    }
  }
  const holder = globalThis as unknown as Record<symbol, Dispatcher | undefined>;
  const had = Object.prototype.hasOwnProperty.call(holder, GLOBAL_DISPATCHER);
  const previous = holder[GLOBAL_DISPATCHER] ?? getGlobalDispatcher();
  const connector = buildConnector({ ca });
  const microsoft = new Agent({
    connect: (options, callback) => connector({ ...options, hostname: address.host, port: String(address.port), servername: options.hostname }, callback),
  });
  setGlobalDispatcher(new MicrosoftRoute(microsoft, previous));
  return () => {
    if (had) holder[GLOBAL_DISPATCHER] = previous;
    else delete holder[GLOBAL_DISPATCHER];
    void microsoft.close();
  };
}

/** An https.Agent whose connections go to the mock, under the Microsoft name (SNI) the request was for. */
class MockAgent extends https.Agent {
  constructor(
    private readonly address: Address,
    private readonly ca: string,
  ) {
    super({ keepAlive: true });
  }

  override createConnection(options: ConnectionOptions): TLSSocket {
    const servername = options.servername || options.host || 'login.microsoftonline.com';
    return tlsConnect({ host: this.address.host, port: this.address.port, servername, ca: this.ca, ALPNProtocols: ['http/1.1'] });
  }
}

type HttpsRequest = typeof https.request;

function routeHttps(address: Address, ca: string): () => void {
  const agent = new MockAgent(address, ca);
  const original = { request: https.request, get: https.get };
  const wrap = (fn: HttpsRequest): HttpsRequest =>
    function routed(this: unknown, ...args: unknown[]) {
      return (fn as (...a: unknown[]) => ReturnType<HttpsRequest>).apply(this, withAgent(args, agent));
    } as HttpsRequest;
  https.request = wrap(original.request);
  https.get = wrap(original.get as HttpsRequest) as typeof https.get;
  // ESM `import { request } from 'node:https'` sees the module's exports as they were: updated here.
  syncBuiltinESMExports();
  return () => {
    https.request = original.request;
    https.get = original.get;
    syncBuiltinESMExports();
    agent.destroy();
  };
}

/** The arguments of https.request/get, with `agent` set when they are for a Microsoft host. */
function withAgent(args: unknown[], agent: HttpsModule.Agent): unknown[] {
  const [first, second, ...rest] = args;
  if (typeof first === 'string' || first instanceof URL) {
    if (!isMicrosoftOrigin(new URL(first))) return args;
    return typeof second === 'object' && second !== null
      ? [first, { ...(second as HttpsModule.RequestOptions), agent }, ...rest]
      : [first, { agent }, ...args.slice(1)];
  }
  const options = (first ?? {}) as HttpsModule.RequestOptions;
  const host = (options.hostname ?? options.host ?? '').replace(/:\d+$/, '');
  const port = options.port === undefined || options.port === null || options.port === '' ? 443 : Number(options.port);
  if (!IMPERSONATED_HOSTS.has(host.toLowerCase()) || port !== 443) return args;
  return [{ ...options, agent }, ...args.slice(1)];
}
