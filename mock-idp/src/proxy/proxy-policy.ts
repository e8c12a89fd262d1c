import type { ConnectTarget } from './connect-target.js';

/**
 * Where the forward proxy sends a `CONNECT`: into the mock (an impersonated Microsoft host on
 * port 443), straight to the target (a host the user allowed with --proxy-pass-through), or
 * nowhere.
 *
 * Refusing by default is the point. A proxy on a container network that opens a connection to
 * whatever host a client names is a server-side request forgery (SSRF) relay: any container that
 * can reach it reaches, with the proxy's network position, the cloud metadata service
 * (169.254.169.254), the docker host's loopback services, other networks the proxy's container is
 * attached to (https://owasp.org/Top10/A10_2021-Server-Side_Request_Forgery_%28SSRF%29/). The
 * mock's proxy exists to serve Microsoft's names from the mock; reaching anything else through it
 * is something the user turns on, host by host or with `*`.
 */

export type ProxyDecision = { kind: 'mock' } | { kind: 'pass-through' } | { kind: 'refuse'; reason: string };

export interface ProxyPolicy {
  /** The host names the mock answers as (login.microsoftonline.com, graph.microsoft.com, …), lower case. */
  impersonated: ReadonlySet<string>;
  /**
   * Hosts tunnelled as they are: exact names (`api.example.com`), a domain's subdomains
   * (`*.example.com`, not `example.com` itself), or `*` for every host.
   */
  passThrough: readonly string[];
}

/** The flag a refusal names, so the user knows what would allow the host. */
export const PASS_THROUGH_FLAG = '--proxy-pass-through';

export function decide(target: ConnectTarget, policy: ProxyPolicy): ProxyDecision {
  if (policy.impersonated.has(target.host)) {
    // Microsoft serves these names on 443 only; another port is a client's mistake, not a host
    // the mock could answer as (and tunnelling it to the real name would leave the mock's scope).
    return target.port === 443 ? { kind: 'mock' } : { kind: 'refuse', reason: `${target.host} is served by the mock on port 443 only, not ${target.port}` };
  }
  if (passesThrough(target.host, policy.passThrough)) return { kind: 'pass-through' };
  return {
    kind: 'refuse',
    reason: `${target.host}:${target.port} is not a Microsoft host this mock impersonates; other hosts are refused unless allowed with ${PASS_THROUGH_FLAG} (MOCK_ENTRA_PROXY_PASS_THROUGH)`,
  };
}

function passesThrough(host: string, patterns: readonly string[]): boolean {
  return patterns.some((raw) => {
    const p = raw
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '');
    if (p === '*') return true;
    if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
    return host === p;
  });
}

/** A pattern --proxy-pass-through accepts: `*`, `*.domain`, or a host name / address. */
export function isPassThroughPattern(p: string): boolean {
  return p === '*' || /^(?:\*\.)?[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?\.?$/i.test(p) || /^\[?[0-9a-f:.]+\]?$/i.test(p);
}
