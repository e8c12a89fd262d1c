import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { randomBytesPooled } from '../support/ids.js';

/**
 * Authenticated encryption (AES-256-GCM) for state the mock hands to clients instead of keeping:
 * refresh tokens and the SSO session cookie. Like Entra's own, they are opaque to clients, and
 * they survive a restart because the key is kept in the state dir. `purpose` is bound as
 * associated data, so a session cookie can never be replayed as a refresh token.
 */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('sealing key must be 32 bytes');
  }

  seal(value: unknown, purpose: string): string {
    const iv = randomBytesPooled(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(purpose));
    const ct = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url');
  }

  /** The value, or undefined for anything this mock did not seal for this purpose. */
  unseal<T>(sealed: string, purpose: string): T | undefined {
    if (sealed.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(sealed)) return undefined;
    const buf = Buffer.from(sealed, 'base64url');
    if (buf.length < 29) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, buf.subarray(0, 12));
      d.setAAD(Buffer.from(purpose));
      d.setAuthTag(buf.subarray(12, 28));
      const pt = Buffer.concat([d.update(buf.subarray(28)), d.final()]);
      return JSON.parse(pt.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}

export const newSealingKeyHex = (): string => randomBytes(32).toString('hex');
