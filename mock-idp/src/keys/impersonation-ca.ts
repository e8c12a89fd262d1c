import { createHash, randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { bundle, createConstrainedAuthority, createServerCertificate, unbundle, type KeyAndCert, type PermittedNames } from './certificates.js';
import { readOrCreate, readTrustedFile } from './state-dir.js';

/**
 * The impersonation CA (impersonation mode): a second CA, apart from the local one, whose name
 * constraints permit only Microsoft's host names and the mock's own. It lives in the state
 * directory with the same trust checks as the other keys; its certificate is also written to
 * `impersonation-ca-cert.pem` there, where the preload (`mock-entra/impersonate`) and users find it.
 */

/** The file name of the current impersonation CA's certificate in the state directory. */
export const IMPERSONATION_CA_FILE = 'impersonation-ca-cert.pem';

export interface ImpersonationAuthority {
  caPem: string;
  caPath: string;
  permitted: PermittedNames;
  /** Whether the CA's name constraints permit `host` (a DNS name or an IP address). */
  permits(host: string): boolean;
  /**
   * A server certificate (chain: leaf + CA) for one permitted name, made on first use and kept in
   * the state directory. Throws for any other name: the CA's constraints would make it useless.
   */
  certificateFor(host: string): Promise<{ key: string; cert: string }>;
}

/** Thrown when asked for a certificate the CA's name constraints do not permit. */
export class NameNotPermittedError extends Error {
  constructor(host: string) {
    super(`the impersonation CA may not issue a certificate for "${host}": its name constraints permit only Microsoft's host names and the mock's own`);
    this.name = 'NameNotPermittedError';
  }
}

/**
 * Loads (or creates) the CA for `microsoftHosts` + `ownHosts`. The constraints are fixed when the
 * CA is made, so each set of names has its CA (`impersonation-ca-{tag}.pem`); the default set
 * (no `--tls-host`) keeps one CA for good, so trust survives restarts.
 */
export async function loadImpersonationAuthority(
  stateDir: string,
  microsoftHosts: readonly string[],
  ownHosts: readonly string[],
): Promise<ImpersonationAuthority> {
  const names = [...new Set([...microsoftHosts, ...ownHosts, 'localhost', '127.0.0.1', '::1'].map((h) => h.toLowerCase().replace(/^\[|\]$/g, '')))].sort();
  const permitted: PermittedNames = { dns: names.filter((n) => isIP(n) === 0), ip: names.filter((n) => isIP(n) !== 0) };
  const tag = createHash('sha256').update(names.join(',')).digest('hex').slice(0, 16);
  const ca = unbundle(await readOrCreate(stateDir, `impersonation-ca-${tag}.pem`, async () => bundle(await createConstrainedAuthority(permitted))));
  const caPath = join(stateDir, IMPERSONATION_CA_FILE);
  if ((await readTrustedFile(caPath)) !== ca.certPem) {
    const tmp = `${caPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, ca.certPem, { mode: 0o600 });
    await rename(tmp, caPath);
  }
  const permits = (host: string): boolean => {
    const h = host.toLowerCase().replace(/^\[|\]$/g, '');
    // RFC 5280: a dNSName constraint permits the name and every name below it.
    return isIP(h) !== 0 ? permitted.ip.includes(h) : permitted.dns.some((d) => h === d || h.endsWith(`.${d}`));
  };
  const leaves = new Map<string, Promise<{ key: string; cert: string }>>();
  const certificateFor = (host: string): Promise<{ key: string; cert: string }> => {
    const h = host.toLowerCase();
    if (!permits(h)) return Promise.reject(new NameNotPermittedError(host));
    let leaf = leaves.get(h);
    if (!leaf) {
      leaf = issueLeaf(stateDir, ca, h);
      leaves.set(h, leaf);
      // A failure (disk full) is not cached: the next handshake tries again.
      leaf.catch(() => leaves.delete(h));
    }
    return leaf;
  };
  return { caPem: ca.certPem, caPath, permitted, permits, certificateFor };
}

async function issueLeaf(stateDir: string, ca: KeyAndCert, host: string): Promise<{ key: string; cert: string }> {
  // A new leaf every 300 days, well inside its 397-day validity (as keys/tls.ts).
  const epoch = Math.floor(Date.now() / (300 * 24 * 3600 * 1000));
  const tag = createHash('sha256').update(ca.certPem).update(host).update(String(epoch)).digest('hex').slice(0, 16);
  const file = `impersonated-${host.replace(/[^a-z0-9.-]/g, '_')}-${tag}.pem`;
  const leaf = unbundle(await readOrCreate(join(stateDir, 'tls'), file, async () => bundle(await createServerCertificate(ca, [host]))));
  return { key: leaf.keyPem, cert: leaf.certPem + ca.certPem };
}
