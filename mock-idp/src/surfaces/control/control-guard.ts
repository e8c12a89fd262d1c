import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';

/**
 * Who may drive the test-control API (/_mock/). It mints nothing itself but rewrites what the
 * mock trusts (fixtures, keys, clocks), so it answers test code on this machine and refuses:
 *
 * - callers from other machines, unless the mock was started with allowRemoteControl;
 * - web pages. A page open in the developer's browser is a loopback caller too: a cross-origin
 *   form or `text/plain` POST needs no CORS preflight
 *   (https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS#simple_requests), so without these
 *   checks any site could rotate keys or revoke sessions. Refused: an `Origin` that is not the
 *   mock's own, `Sec-Fetch-Site: cross-site | same-site` (a page on another localhost port is
 *   same-site but another origin), and a body that is not JSON;
 * - DNS rebinding: a name the attacker controls, re-pointed at 127.0.0.1, makes the browser
 *   treat the mock as the attacker's own origin (https://en.wikipedia.org/wiki/DNS_rebinding).
 *   The `Host` it sends still names the attacker's host, so only the names the mock is really
 *   known by are answered: localhost, loopback addresses, the bind address, the public URL's
 *   host and the `--tls-host` names.
 *
 * The control credential (`controlToken`, sent as `Authorization: Bearer`) stands in for the
 * loopback and Host checks, so a container's control API can be reached from the docker host
 * through a mapped port (`docker:49153`). It does not lift the browser checks: test code sends no
 * `Origin`, and a page that knows the credential has no business here either. When the mock has
 * one, a caller that is not on loopback and sends none is answered 401 InvalidControlToken (not
 * 403): it is told what to send. A mock listening beyond loopback always has one, unless started
 * with allowRemoteControl (server.ts generates it).
 */

export interface ControlRefusal {
  status: 401 | 403;
  code: 'InvalidControlToken' | 'Forbidden';
  message: string;
}

export type ControlGuard = (request: FastifyRequest) => ControlRefusal | undefined;

const MUTATING: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Media types the control API reads (app.ts parses these as JSON); no browser sends them cross-site without a preflight. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/** A Host header: a bracketed IPv6 address or a name, then an optional port; nothing a URL parser could read another host from. */
const HOST_HEADER = /^(?:\[[0-9a-f:.]+\]|[^[\]/\\@?#\s:]+)(?::\d{0,5})?$/i;

const BEARER = /^Bearer +(\S+) *$/i;

export function controlGuard(ctx: MockContext): ControlGuard {
  const opts = ctx.options;
  const scheme = ctx.secure ? 'https' : 'http';
  const wildcardBind = opts.host === '0.0.0.0' || opts.host === '::';
  const names = new Set<string>(['localhost']);
  for (const name of [
    opts.host,
    ...opts.tlsHosts,
    hostnameOf(ctx.urls.login),
    hostnameOf(ctx.urls.graph),
    opts.publicUrl ? hostnameOf(opts.publicUrl) : undefined,
  ]) {
    if (name && !(wildcardBind && name === opts.host)) names.add(normalName(name));
  }
  const publicOrigins = new Set([originOf(ctx.urls.login), originOf(ctx.urls.graph)].filter((o): o is string => o !== undefined));
  const expected = opts.controlToken === undefined ? undefined : digest(opts.controlToken);

  const knownHost = (name: string): boolean => {
    if (names.has(name) || isLoopbackIp(name)) return true;
    // Bound to every interface, the mock is reached by any of this machine's addresses. An IP
    // literal cannot be rebound: the browser sends it only to a page served from that address.
    return wildcardBind && isIP(name) !== 0 && interfaceAddresses().has(name);
  };

  return (request) => {
    const authorization = request.headers.authorization;
    let credential = false;
    if (authorization !== undefined) {
      const token = BEARER.exec(authorization)?.[1];
      if (expected === undefined) {
        return invalidToken(
          'This mock has no control credential to check an Authorization header against: start it with --control-token (MOCK_ENTRA_CONTROL_TOKEN), or send no Authorization header.',
        );
      }
      // Compared as digests: equal lengths, and constant time whatever the token's length.
      if (token === undefined || !timingSafeEqual(digest(token), expected)) {
        return invalidToken('The control credential is wrong: send Authorization: Bearer <the token the mock was started with, --control-token>.');
      }
      credential = true;
    }

    if (!credential && !opts.allowRemoteControl && !isLoopbackAddress(request.socket.remoteAddress)) {
      if (expected !== undefined) {
        return invalidToken(
          'The test-control API answers callers beyond loopback with the control credential only: send Authorization: Bearer <the token the mock was started with, --control-token or MOCK_ENTRA_CONTROL_TOKEN, or the one it printed at start>.',
        );
      }
      return {
        status: 403,
        code: 'Forbidden',
        message:
          'The test-control API answers loopback callers only (start the mock with --allow-remote-control, or send the control credential, --control-token, to change that).',
      };
    }

    const host = request.headers.host;
    // Every browser sends Host; a request without one is not a rebinding attack.
    if (host !== undefined) {
      const name = HOST_HEADER.test(host) ? hostnameOf(`${scheme}://${host}`) : undefined;
      if (name === undefined) return forbidden(`Refused Host ${JSON.stringify(host.slice(0, 200))}: it is not a host name.`);
      if (!credential && !knownHost(normalName(name))) {
        return forbidden(
          `Refused Host ${host.slice(0, 200)}: the test-control API answers requests addressed to localhost, a loopback address, the bind address, the public URL's host or a --tls-host name only (a guard against DNS rebinding). Add the name with --tls-host or --public-url, or send the control credential (--control-token).`,
        );
      }
    }

    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      return forbidden(`Refused a request from a web page (Sec-Fetch-Site: ${site}): the test-control API takes no requests from pages of other origins.`);
    }

    const origin = request.headers.origin;
    if (origin !== undefined) {
      const own = publicOrigins.has(origin.toLowerCase()) || (host !== undefined && originOf(`${scheme}://${host}`) === origin.toLowerCase());
      if (!own) {
        return forbidden(
          `Refused a request from origin ${origin.slice(0, 200)}: the test-control API answers its own origin and callers that send no Origin (test code), never another site's pages.`,
        );
      }
    }

    if (MUTATING.has(request.method)) {
      const type = request.headers['content-type'];
      if (type === undefined) {
        if (hasBody(request))
          return forbidden(
            `Refused a ${request.method} with a body but no Content-Type: the test-control API takes JSON bodies only (Content-Type: application/json).`,
          );
      } else {
        const media = (type.split(';')[0] ?? '').trim().toLowerCase();
        if (!JSON_TYPE.test(media)) {
          return forbidden(
            `Refused a ${request.method} with Content-Type ${type.slice(0, 100)}: the test-control API takes JSON bodies only (Content-Type: application/json), which a web page cannot send another site without asking first.`,
          );
        }
      }
    }
    return undefined;
  };
}

const forbidden = (message: string): ControlRefusal => ({ status: 403, code: 'Forbidden', message });

const invalidToken = (message: string): ControlRefusal => ({ status: 401, code: 'InvalidControlToken', message });

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** A name as compared: lower case, no IPv6 brackets, no trailing dot (`localhost.` is localhost). */
function normalName(name: string): string {
  const lower = name.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback (`::ffff:7f00:1`, as the URL parser writes `[::ffff:127.0.0.1]`). */
function isLoopbackIp(name: string): boolean {
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || /^::ffff:(?:127\.|7f[0-9a-f]{2}:)/.test(name);
}

/** The peer's address as Node reports it: 127.x.x.x, ::1, or ::ffff:127.x.x.x. */
function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function interfaceAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined)
      .map((i) => normalName(i.address.split('%')[0]!)),
  );
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
