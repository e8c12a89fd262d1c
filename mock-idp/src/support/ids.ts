import { createHash, randomBytes, randomFillSync, randomUUID } from 'node:crypto';

/** A name-based UUID (version 5 layout over SHA-1): the same name always gives the same id. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`mock-entra:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export const newGuid = (): string => randomUUID();

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * `n` bytes from the CSPRNG, handed out from a pooled buffer: one `randomFillSync` per 4 KiB
 * instead of one call per value (each call costs several µs under OpenSSL 3, and a token takes
 * three or four). Every byte is handed out once; an exhausted pool is replaced, never refilled
 * in place, so a returned view never changes. Treat it as read-only.
 */
export function randomBytesPooled(n: number): Buffer {
  if (n > POOL_BYTES / 4) return randomBytes(n);
  if (poolOffset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** An opaque base64url value of `bytes` random bytes (Entra's uti, aio, codes…). */
export function opaque(bytes: number): string {
  return randomBytesPooled(bytes).toString('base64url');
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID.test(s);
