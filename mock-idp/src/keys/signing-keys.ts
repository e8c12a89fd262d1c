import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSigningKey, unbundle, bundle } from './certificates.js';
import { readOrCreate } from './state-dir.js';

/** A token-signing key, with everything that does not change per token precomputed. */
export interface SigningKey {
  kid: string;
  x5t: string;
  privateKey: KeyObject;
  /** The JWKS entry, without `issuer` (added per document). */
  jwk: { kty: 'RSA'; use: 'sig'; kid: string; x5t: string; n: string; e: string; x5c: string[] };
  /** Retiring keys stay in JWKS until this time (ms), then disappear. Infinity while active. */
  publishedUntil: number;
}

/** kid = x5t = base64url SHA-1 thumbprint of the certificate, as Entra does (docs/entra-wire.md §2). */
export function signingKeyFrom(pemBundle: string): SigningKey {
  const { keyPem, certPem } = unbundle(pemBundle);
  const cert = new X509Certificate(certPem);
  const x5t = createHash('sha1').update(cert.raw).digest('base64url');
  const pub = createPublicKey(keyPem).export({ format: 'jwk' }) as { n: string; e: string };
  return {
    kid: x5t,
    x5t,
    privateKey: createPrivateKey(keyPem),
    jwk: { kty: 'RSA', use: 'sig', kid: x5t, x5t, n: pub.n, e: pub.e, x5c: [cert.raw.toString('base64')] },
    publishedUntil: Infinity,
  };
}

/** The machine's default signing key, generated on first use and kept in the state dir. */
export async function loadMachineSigningKey(stateDir: string): Promise<SigningKey> {
  return signingKeyFrom(await readOrCreate(stateDir, 'signing-key.pem', async () => bundle(await createSigningKey())));
}

/** A fresh key for a rotation (not persisted: rotations belong to a test run). */
export async function newSigningKey(): Promise<SigningKey> {
  return signingKeyFrom(bundle(await createSigningKey()));
}
