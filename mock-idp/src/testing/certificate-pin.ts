import { createHash } from 'node:crypto';
import { connect } from 'node:tls';

/**
 * How a browser is made to trust an HTTPS mock without switching certificate checks off: Node
 * connects to the mock and verifies its certificate against the mock's CA (host name included),
 * then Chromium is started with exactly that certificate's public key accepted
 * (`--ignore-certificate-errors-spki-list`). Every other certificate is checked as usual.
 */

/** The base64 SHA-256 of the public key (SPKI) `origin` presents, after TLS verified it against `caPem`. */
export function verifiedSpki(origin: string, caPem: string): Promise<string> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname, port: Number(url.port || 443), servername: url.hostname, ca: caPem },
      () => {
        const cert = socket.getPeerCertificate();
        socket.end();
        if (!cert.pubkey) reject(new Error(`${origin} presented no certificate`));
        else resolve(createHash('sha256').update(cert.pubkey).digest('base64'));
      },
    );
    socket.once('error', (e) => reject(new Error(`cannot verify ${origin} against the mock's CA: ${e.message}`)));
  });
}
