import { sign } from 'node:crypto';
import type { SigningKey } from '../keys/signing-keys.js';

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Signs a JWT with RS256 off the event loop: node:crypto's callback form runs the RSA operation
 * on libuv's thread pool, so a burst of token requests never blocks other requests.
 */
export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: SigningKey): Promise<string> {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input), key.privateKey, (err, sig) => {
      if (err) reject(err);
      else resolve(`${input}.${sig.toString('base64url')}`);
    });
  });
}

/** The header Entra puts on its tokens: v1 carries x5t and kid, v2 only kid (reference §2). */
export function tokenHeader(key: SigningKey, version: '1.0' | '2.0', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return version === '1.0'
    ? { typ: 'JWT', ...extra, alg: 'RS256', x5t: key.x5t, kid: key.kid }
    : { typ: 'JWT', ...extra, alg: 'RS256', kid: key.kid };
}

/** Decodes a JWT's parts without verifying; undefined when it is not a JWT at all. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signingInput: string; signature: Buffer } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 16_384) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
