import { isIP } from 'node:net';

/**
 * The target of a `CONNECT` request, read strictly: RFC 9110 §9.3.6 allows only the
 * authority-form `host:port` there (https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6), so
 * anything else — a path, user info, a missing or out-of-range port, characters a DNS name cannot
 * hold — is refused before a policy ever sees it. The host comes back lower-cased, without a
 * trailing dot (`LOGIN.microsoftonline.com.` is the same host), and an IPv6 address without its
 * brackets.
 */

export interface ConnectTarget {
  host: string;
  port: number;
}

/** A DNS name: labels of letters, digits, hyphens and underscores, at most 253 characters in all. */
const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** `host:port` → the target, or a reason the proxy gives back with its 400. */
export function parseConnectTarget(authority: string | undefined): ConnectTarget | { invalid: string } {
  if (authority === undefined || authority === '') return { invalid: 'CONNECT needs a target host:port' };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(authority);
  if (!m) return { invalid: 'the CONNECT target must be host:port' };
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return { invalid: 'the CONNECT target port must be 1 to 65535' };
  if (m[1] !== undefined) {
    return isIP(m[1]) === 6 ? { host: m[1].toLowerCase(), port } : { invalid: 'the CONNECT target is not a valid IPv6 address' };
  }
  const host = m[2]!.toLowerCase().replace(/\.$/, '');
  if (isIP(host) === 4 || DNS_NAME.test(host)) return { host, port };
  return { invalid: 'the CONNECT target host is not a valid host name' };
}
