import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * Helpers of the proxy tests: a child process's outcome without throwing, and the SPKI pin a
 * browser is given for a Microsoft host name — taken through the proxy (the real name resolves to
 * Microsoft), after Node verified the certificate against the impersonation CA.
 */

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args` and resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** This process's environment without any proxy or CA-bundle variable a developer's shell may have set. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(https?_proxy|all_proxy|no_proxy|requests_ca_bundle|curl_ca_bundle|ssl_cert_file|node_extra_ca_certs)$/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

/** The base64 SHA-256 of the public key `host`:443 presents through the proxy, verified against `caPem`. */
export async function spkiThroughProxy(proxyUrl: string, host: string, caPem: string): Promise<string> {
  const proxy = new URL(proxyUrl);
  const socket = connect(Number(proxy.port), proxy.hostname);
  await once(socket, 'connect');
  socket.write(`CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\n\r\n`);
  const [head] = (await once(socket, 'data')) as [Buffer];
  if (!head.toString().startsWith('HTTP/1.1 200 ')) throw new Error(`the proxy refused ${host}: ${head.toString()}`);
  const tls = tlsConnect({ socket, servername: host, ca: caPem });
  await once(tls, 'secureConnect');
  const cert = tls.getPeerCertificate();
  tls.destroy();
  return createHash('sha256').update(cert.pubkey!).digest('base64');
}
