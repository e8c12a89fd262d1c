import { createHash, createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { MockContext } from '../context.js';

/**
 * The opaque state tokens Graph hands out in next and delta links — `$skiptoken`, `$deltatoken`.
 * Stable (the same page always gets the same token, across restarts of a mock with the same
 * state directory) and tamper-evident (an HMAC over the content, keyed from the machine signing
 * key): a token the mock did not issue, or issued for another tenant or another query, is refused.
 *
 * Shapes imitate Graph's: user lists use `X'4453707402…'` (hex of a "DSpt…" blob), other
 * collections the base64 form of the same (`RFNwdAIA…`); delta tokens are base64url.
 */

const keys = new WeakMap<MockContext, Buffer>();

function keyOf(ctx: MockContext): Buffer {
  let k = keys.get(ctx);
  if (!k) {
    const der = ctx.machineKey.privateKey.export({ format: 'der', type: 'pkcs8' });
    k = createHash('sha256').update('mock-entra graph page tokens\0').update(der).digest();
    keys.set(ctx, k);
  }
  return k;
}

export type TokenStyle = 'hex' | 'base64' | 'base64url';
const MAGIC = Buffer.from('DSpt\x02\x00', 'latin1');
const MAC_BYTES = 16;

export function sealToken(ctx: MockContext, payload: unknown, style: TokenStyle): string {
  const body = Buffer.concat([MAGIC, Buffer.from(JSON.stringify(payload), 'utf8')]);
  const mac = createHmac('sha256', keyOf(ctx)).update(body).digest().subarray(0, MAC_BYTES);
  const all = Buffer.concat([body, mac]);
  if (style === 'hex') return `X'${all.toString('hex').toUpperCase()}'`;
  return all.toString(style);
}

/** The payload, or undefined for anything this mock did not seal. */
export function openToken<T>(ctx: MockContext, token: string, style: TokenStyle): T | undefined {
  if (token.length > 8192) return undefined;
  let all: Buffer;
  if (style === 'hex') {
    const m = /^X'([0-9A-Fa-f]+)'$/.exec(token.trim());
    if (!m || m[1]!.length % 2 !== 0) return undefined;
    all = Buffer.from(m[1]!, 'hex');
  } else {
    if (!/^[A-Za-z0-9+/_=-]+$/.test(token)) return undefined;
    all = Buffer.from(token, style);
  }
  if (all.length <= MAGIC.length + MAC_BYTES || !all.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const body = all.subarray(0, all.length - MAC_BYTES);
  const mac = all.subarray(all.length - MAC_BYTES);
  const expected = createHmac('sha256', keyOf(ctx)).update(body).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(mac, expected)) return undefined;
  try {
    return JSON.parse(body.subarray(MAGIC.length).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A short digest naming a query (path, filter, order, search), so a token serves only the query it was issued for. */
export function queryKey(parts: Array<string | undefined>): string {
  // One-shot hashing: once per page of a full read, where a Hash object per call shows.
  return hash('sha256', parts.map((p) => p ?? '').join('\0'), 'base64url').slice(0, 12);
}
