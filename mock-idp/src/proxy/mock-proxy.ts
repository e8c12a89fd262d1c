import type { Server as NetServer } from 'node:net';
import { OptionError, type ResolvedOptions } from '../config/options.js';
import { IMPERSONATED_HOSTS } from '../impersonation/clouds.js';
import { startForwardProxy, type RunningForwardProxy } from './forward-proxy.js';
import { isPassThroughPattern } from './proxy-policy.js';

/**
 * The forward proxy as `mock-entra serve --proxy-port N` and `startMockEntra({ proxyPort })` run
 * it: in front of the mock's own HTTPS server, tunnelling every Microsoft host name the mock
 * impersonates (impersonation/clouds.ts: the public cloud's and the national clouds') into it,
 * and what it prints at start.
 */

export interface RunningMockProxy extends RunningForwardProxy {
  /** The Microsoft host names tunnelled into the mock (port 443), sorted. */
  serves: string[];
  /** What --proxy-pass-through allowed, as given. */
  passThrough: string[];
  /** The CA clients must trust for those names. */
  caPath: string;
}

type ProxyOptions = Pick<ResolvedOptions, 'proxyPort' | 'proxyHost' | 'proxyPassThrough' | 'tls'>;

/** The refusal of options the proxy cannot run with; before anything listens. */
export function checkProxyOptions(opts: ProxyOptions): void {
  if (opts.proxyPort === undefined) return;
  if (!opts.tls) {
    throw new OptionError("--proxy-port needs HTTPS: the proxy hands each connection to the mock's TLS listener (leave out --http / MOCK_ENTRA_HTTP)");
  }
  const bad = opts.proxyPassThrough.filter((p) => !isPassThroughPattern(p));
  if (bad.length > 0) {
    throw new OptionError(`--proxy-pass-through takes a host name, *.domain or *, not '${bad[0]}'`);
  }
}

/** Starts the proxy for a mock that listens (with impersonation on). */
export async function startMockProxy(
  opts: ProxyOptions & { proxyPort: number },
  mock: { server: NetServer; caPath: string },
  log: (line: string) => void,
): Promise<RunningMockProxy> {
  checkProxyOptions(opts);
  const serves = [...IMPERSONATED_HOSTS.keys()].sort();
  const proxy = await startForwardProxy({
    host: opts.proxyHost,
    port: opts.proxyPort,
    mockServer: mock.server,
    policy: { impersonated: new Set(serves), passThrough: opts.proxyPassThrough },
    caPath: mock.caPath,
    log,
  });
  return { ...proxy, serves, passThrough: opts.proxyPassThrough, caPath: mock.caPath };
}

/** The start banner's proxy section: where it listens, what it serves, what it refuses, the CA. */
export function proxyBanner(proxy: Pick<RunningMockProxy, 'url' | 'serves' | 'passThrough' | 'caPath'>): string {
  const lines = [
    `HTTPS proxy: ${proxy.url}   (export HTTPS_PROXY=${proxy.url})`,
    `  into the mock, port 443:  ${proxy.serves.join(', ')}`,
    proxy.passThrough.length > 0
      ? `  tunnelled as they are:    ${proxy.passThrough.join(', ')}; every other host refused (403)`
      : '  every other host:         refused (403); --proxy-pass-through HOST tunnels one',
    `  clients trust this CA:    ${proxy.caPath}`,
    '',
  ];
  return lines.join('\n');
}
