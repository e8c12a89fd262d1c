import { webcrypto, createPrivateKey, X509Certificate, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { KeyObject } from 'node:crypto';

/**
 * Key and certificate generation. @peculiar/x509 is imported lazily: it is only needed the first
 * time a machine runs the mock (or on key rotation), and a normal start must stay as cheap as a
 * bare Fastify start.
 */

const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

type X509Module = typeof import('@peculiar/x509');
let x509Module: Promise<X509Module> | undefined;
async function x509(): Promise<X509Module> {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const m = await import('@peculiar/x509');
    m.cryptoProvider.set(webcrypto as unknown as Crypto);
    return m;
  })();
  return x509Module;
}

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

const pemOf = (der: ArrayBuffer, label: string): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

const serial = (): string => {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
};

const YEAR = 365 * 24 * 3600 * 1000;

/**
 * A token-signing key with its self-signed certificate, like Entra's (CN=accounts.accesscontrol.windows.net,
 * 5-year validity; docs/entra-wire.md §2), published in JWKS `x5c`.
 */
export async function createSigningKey(now = Date.now()): Promise<KeyAndCert> {
  const m = await x509();
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const cert = await m.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=accounts.accesscontrol.windows.net',
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + 5 * YEAR),
    signingAlgorithm: RSA,
    keys,
  });
  return { keyPem: pemOf(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'), certPem: cert.toString('pem') + '\n' };
}

/** The local certificate authority users trust once (NODE_EXTRA_CA_CERTS, OS store, browser). */
export async function createCertificateAuthority(now = Date.now()): Promise<KeyAndCert> {
  return selfSignedAuthority('CN=mock-entra local CA, O=mock-entra', [], now);
}

/** A CA certificate (basic constraints, path length 0, key usage for signing certificates) valid for ten years, with any further extensions. */
async function selfSignedAuthority(name: string, extensions: readonly InstanceType<X509Module['Extension']>[], now: number): Promise<KeyAndCert> {
  const m = await x509();
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const cert = await m.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + 10 * YEAR),
    signingAlgorithm: RSA,
    keys,
    extensions: [
      new m.BasicConstraintsExtension(true, 0, true),
      new m.KeyUsagesExtension(m.KeyUsageFlags.keyCertSign | m.KeyUsageFlags.cRLSign, true),
      await m.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ...extensions,
    ],
  });
  return { keyPem: pemOf(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'), certPem: cert.toString('pem') + '\n' };
}

/** What a name-constrained CA may sign for: DNS names (each with its subdomains) and single IP addresses. */
export interface PermittedNames {
  dns: string[];
  ip: string[];
}

/**
 * The impersonation CA: users put it into trust stores so that unmodified clients accept the
 * mock as login.microsoftonline.com, so its critical X.509 name constraints (RFC 5280 §4.2.1.10)
 * permit only the impersonated host names and the mock's own: a leaked key then cannot vouch for
 * any other name, and path validation (OpenSSL, browsers) refuses a certificate made with it
 * for one.
 */
export async function createConstrainedAuthority(permitted: PermittedNames, now = Date.now()): Promise<KeyAndCert> {
  const m = await x509();
  const nameConstraints = new m.Extension('2.5.29.30', true, nameConstraintsDer(permitted));
  return selfSignedAuthority('CN=mock-entra impersonation CA (name-constrained), O=mock-entra', [nameConstraints], now);
}

/**
 * DER of NameConstraints with permitted subtrees only (RFC 5280 §4.2.1.10): SEQUENCE { [0]
 * SEQUENCE OF GeneralSubtree { dNSName [2] | iPAddress [7] } }. Written out here: @peculiar/x509
 * has no class for this extension.
 */
function nameConstraintsDer(permitted: PermittedNames): ArrayBuffer {
  const subtrees = [
    ...permitted.dns.map((d) => der(0x30, der(0x82, Buffer.from(d, 'ascii')))),
    ...permitted.ip.map((ip) => der(0x30, der(0x87, ipWithMask(ip)))),
  ];
  const out = der(0x30, der(0xa0, Buffer.concat(subtrees)));
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.length) as ArrayBuffer;
}

function der(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

/** An iPAddress constraint is the address followed by its mask: one address, every bit set. */
function ipWithMask(ip: string): Uint8Array {
  const bytes = isIP(ip) === 4 ? ip.split('.').map(Number) : ipv6Bytes(ip);
  return new Uint8Array([...bytes, ...bytes.map(() => 0xff)]);
}

function ipv6Bytes(ip: string): number[] {
  const [head = '', tail = ''] = ip.split('::');
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const h = part(head);
  const t = part(tail);
  const words = ip.includes('::') ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** A TLS server certificate for `hosts` (DNS names and IP addresses), issued by the local CA. */
export async function createServerCertificate(ca: KeyAndCert, hosts: string[], now = Date.now()): Promise<KeyAndCert> {
  const m = await x509();
  const caCert = new m.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', createPrivateKey(ca.keyPem).export({ type: 'pkcs8', format: 'der' }), RSA, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const names = hosts.map((h) => (isIP(h) !== 0 ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await m.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: caCert.subject,
    notBefore: new Date(now - 24 * 3600 * 1000),
    // Browsers refuse leaf certificates valid for more than 398 days.
    notAfter: new Date(now + 397 * 24 * 3600 * 1000),
    signingAlgorithm: RSA,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new m.BasicConstraintsExtension(false, undefined, true),
      new m.KeyUsagesExtension(m.KeyUsageFlags.digitalSignature | m.KeyUsageFlags.keyEncipherment, true),
      new m.ExtendedKeyUsageExtension([m.ExtendedKeyUsage.serverAuth]),
      new m.SubjectAlternativeNameExtension(names),
      await m.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { keyPem: pemOf(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'), certPem: cert.toString('pem') + '\n' };
}

export const bundle = (k: KeyAndCert): string => k.keyPem + k.certPem;

export function unbundle(pem: string): KeyAndCert {
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(pem)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(pem)?.[0];
  if (!key || !cert) throw new Error('state file is not a key + certificate bundle');
  return { keyPem: key, certPem: cert };
}

export function certNotAfter(certPem: string): number {
  return Date.parse(new X509Certificate(certPem).validTo);
}

export type { KeyObject };
