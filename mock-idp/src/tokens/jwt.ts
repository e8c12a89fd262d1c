import { createHash, sign } from 'node:crypto';
import type { SigningKey } from '../keys/signing-keys.js';

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Signs a JWT with RS256 off the event loop: node:crypto's callback form runs the RSA operation
 * on libuv's thread pool, so a burst of token requests never blocks other requests.
 */
export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: SigningKey): Promise<string> {
  return signSegments(b64json(header), b64json(payload), key);
}

/**
 * Signs `header.payload` (both already base64url) with RS256 on libuv's thread pool. The
 * signing input is ASCII, so latin1 turns it into bytes without UTF-8 encoding work.
 */
export function signSegments(header: string, payload: string, key: SigningKey): Promise<string> {
  const input = `${header}.${payload}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input, 'latin1'), key.privateKey, (err, sig) => {
      if (err) reject(err);
      else resolve(`${input}.${sig.toString('base64url')}`);
    });
  });
}

/**
 * Graph's tokens carry a `nonce` in the header and are signed over its hash, so no third-party
 * validator can check them — only Graph (here: the mock's Graph) can. (Reference §3.2.)
 */
export const graphNonceDigest = (nonce: string): string => createHash('sha256').update(nonce).digest('base64url');

/** The claims of a token as its base64url payload segment. */
export const payloadSegment = (claims: Record<string, unknown>): string => b64json(claims);

/** The header Entra puts on its tokens: v1 carries x5t and kid, v2 only kid (docs/entra-wire.md §2). */
export function tokenHeader(key: SigningKey, version: '1.0' | '2.0', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return version === '1.0' ? { typ: 'JWT', ...extra, alg: 'RS256', x5t: key.x5t, kid: key.kid } : { typ: 'JWT', ...extra, alg: 'RS256', kid: key.kid };
}

interface HeaderSegments {
  /** base64url of the header without a nonce. */
  plain: string;
  /** The header's JSON around the nonce value: `before + JSON.stringify(nonce) + after`. */
  before: string;
  after: string;
}

/** Per key and version: a key's header never changes, so it is serialized once. */
const headerCache = new WeakMap<SigningKey, Partial<Record<'1.0' | '2.0', HeaderSegments>>>();
const NONCE_MARK = '\u0000nonce\u0000';

/**
 * The header segment of a token signed with `key` — byte for byte
 * `base64url(JSON.stringify(tokenHeader(key, version, nonce ? { nonce } : {})))`, without
 * serializing the same header for every token.
 */
export function headerSegment(key: SigningKey, version: '1.0' | '2.0', nonce?: string): string {
  let perKey = headerCache.get(key);
  if (!perKey) headerCache.set(key, (perKey = {}));
  let h = perKey[version];
  if (!h) {
    const [before, after] = JSON.stringify(tokenHeader(key, version, { nonce: NONCE_MARK })).split(JSON.stringify(NONCE_MARK)) as [string, string];
    h = perKey[version] = { plain: b64json(tokenHeader(key, version)), before, after };
  }
  return nonce === undefined ? h.plain : Buffer.from(`${h.before}${JSON.stringify(nonce)}${h.after}`).toString('base64url');
}

/** Decodes a JWT's parts without verifying; undefined when it is not a JWT at all. */
export function decodeJwt(
  token: string,
): { header: Record<string, unknown>; payload: Record<string, unknown>; signingInput: string; signature: Buffer } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 16_384) return undefined;
  // Strict base64url, as .NET decodes it: Node's decoder skips characters outside the alphabet,
  // so `header!` would decode like `header` — and a verifier that rebuilds the signed header
  // (Graph's nonce tokens) would accept bytes that were never signed.
  if (!B64URL.test(parts[0]!) || !B64URL.test(parts[1]!) || !(parts[2] === '' || B64URL.test(parts[2]!))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

const B64URL = /^[A-Za-z0-9_-]+$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
