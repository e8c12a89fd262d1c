import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { bundle, createCertificateAuthority, createServerCertificate, unbundle, type KeyAndCert } from './certificates.js';
import { readOrCreate } from './state-dir.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  caPem: string;
  caPath: string;
}

/**
 * The local CA (created once per machine) and a server certificate for the hosts the mock is
 * reached by (created once per set of hosts). Restarts reuse both, so trust survives them.
 */
export async function loadTls(stateDir: string, hosts: string[]): Promise<TlsMaterial> {
  const ca = unbundle(await readOrCreate(stateDir, 'ca.pem', async () => bundle(await createCertificateAuthority())));
  const caPath = join(stateDir, 'ca-cert.pem');
  await readOrCreate(stateDir, 'ca-cert.pem', async () => ca.certPem);
  const unique = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts.map((h) => h.toLowerCase())])];
  // A new leaf every 300 days, well inside its 397-day validity.
  const epoch = Math.floor(Date.now() / (300 * 24 * 3600 * 1000));
  const tag = createHash('sha256').update(ca.certPem).update(unique.join(',')).update(String(epoch)).digest('hex').slice(0, 16);
  const leaf: KeyAndCert = unbundle(
    await readOrCreate(join(stateDir, 'tls'), `server-${tag}.pem`, async () => bundle(await createServerCertificate(ca, unique))),
  );
  return { key: leaf.keyPem, cert: leaf.certPem + ca.certPem, caPem: ca.certPem, caPath };
}

/** The CA certificate (PEM), creating the CA if this machine has none yet. */
export async function loadCaCertificate(stateDir: string): Promise<{ pem: string; path: string }> {
  const ca = unbundle(await readOrCreate(stateDir, 'ca.pem', async () => bundle(await createCertificateAuthority())));
  const path = join(stateDir, 'ca-cert.pem');
  await readOrCreate(stateDir, 'ca-cert.pem', async () => ca.certPem);
  return { pem: ca.certPem, path };
}
