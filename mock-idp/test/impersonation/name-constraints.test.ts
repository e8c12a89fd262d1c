import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerCertificate, unbundle } from '../../src/keys/certificates.js';
import { loadImpersonationAuthority, NameNotPermittedError, type ImpersonationAuthority } from '../../src/keys/impersonation-ca.js';
import { IMPERSONATED_HOSTS } from '../../src/impersonation/clouds.js';

/**
 * The impersonation CA's X.509 name constraints: it issues only for Microsoft's names and the
 * mock's own, and a certificate made by hand with its key for any other name is refused by
 * Node's TLS client and by `openssl verify`.
 */

let dir: string;
let authority: ImpersonationAuthority;
let evil: { key: string; cert: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mock-entra-nc-'));
  authority = await loadImpersonationAuthority(dir, [...IMPERSONATED_HOSTS.keys()], ['mock-entra']);
  const file = (await readdir(dir)).find((f) => /^impersonation-ca-[0-9a-f]{16}\.pem$/.test(f));
  // The CA's own key, read from its state file: what a leaked key would allow.
  const ca = unbundle(await readFile(join(dir, file!), 'utf8'));
  const made = await createServerCertificate(ca, ['evil.example']);
  evil = { key: made.keyPem, cert: made.certPem + ca.certPem };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A TLS handshake with a server presenting `served`, trusting only the impersonation CA. */
async function handshake(served: { key: string; cert: string }, servername: string): Promise<string> {
  const server: Server = createServer(served, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ca: authority.caPem }, () => {
        socket.destroy();
        resolve('trusted');
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(`${e.code ?? ''}: ${e.message}`));
    });
  } finally {
    server.close();
  }
}

describe('impersonation CA name constraints', () => {
  it('issues for the Microsoft host names and the mock’s own, and refuses any other name', async () => {
    expect(authority.permits('login.microsoftonline.com')).toBe(true);
    expect(authority.permits('graph.microsoft.us')).toBe(true);
    expect(authority.permits('mock-entra')).toBe(true);
    expect(authority.permits('127.0.0.1')).toBe(true);
    expect(authority.permits('evil.example')).toBe(false);
    expect(authority.permits('microsoftonline.com.evil.example')).toBe(false);
    await expect(authority.certificateFor('evil.example')).rejects.toBeInstanceOf(NameNotPermittedError);
    await expect(authority.certificateFor('evil.example')).rejects.toThrow(
      'the impersonation CA may not issue a certificate for "evil.example": its name constraints permit only Microsoft\'s host names and the mock\'s own',
    );
  });

  it('the CA file next to the other keys is the CA the leaves chain to', async () => {
    expect(await readFile(join(dir, 'impersonation-ca-cert.pem'), 'utf8')).toBe(authority.caPem);
    expect(authority.caPath).toBe(join(dir, 'impersonation-ca-cert.pem'));
  });

  it("Node's TLS client trusts a certificate it issued for login.microsoftonline.com", async () => {
    expect(await handshake(await authority.certificateFor('login.microsoftonline.com'), 'login.microsoftonline.com')).toBe('trusted');
  });

  it("Node's TLS client refuses a certificate made by hand with the CA's key for evil.example", async () => {
    // OpenSSL's X509_V_ERR_PERMITTED_VIOLATION (47), which Node has no code name for.
    expect(await handshake(evil, 'evil.example')).toBe('UNSPECIFIED: permitted subtree violation');
  });

  it('openssl verify refuses it too, and accepts the issued one', async () => {
    let openssl = true;
    try {
      execFileSync('openssl', ['version']);
    } catch {
      openssl = false;
    }
    if (!openssl) return;
    await writeFile(join(dir, 'evil.pem'), evil.cert.split(/(?=-----BEGIN)/)[0]!);
    await writeFile(join(dir, 'good.pem'), (await authority.certificateFor('graph.microsoft.com')).cert.split(/(?=-----BEGIN)/)[0]!);
    const verify = (file: string): string => {
      try {
        return execFileSync('openssl', ['verify', '-CAfile', authority.caPath, join(dir, file)], { encoding: 'utf8', stdio: 'pipe' }).trim();
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
      }
    };
    expect(verify('good.pem')).toBe(`${join(dir, 'good.pem')}: OK`);
    expect(verify('evil.pem')).toContain('error 47 at 0 depth lookup: permitted subtree violation');
  });
});
