// Prints the CA certificates this machine's Node trusts beyond its bundled ones (those of
// NODE_EXTRA_CA_CERTS that Node does not ship): what a container build needs to reach the npm
// registry through a TLS-inspecting proxy. Nothing when NODE_EXTRA_CA_CERTS is unset.
//
//   docker build --build-arg NPM_CA_PEM="$(node scripts/registry-ca.mjs)" -t mock-entra:0.1.0 .
//
// Only the extra certificates: the whole system bundle (~200 KB) is over the kernel's limit for one
// argument (128 KiB), and Node's own are in the image already. The same selection as
// mock-idp/src/testcontainers/registry-ca.ts (the testcontainers module's build).
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

const file = process.env.NODE_EXTRA_CA_CERTS;
if (file) {
  const bare = (pem) => pem.replace(/\s+/g, '');
  const bundled = new Set(rootCertificates.map(bare));
  const pems = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  process.stdout.write(pems.filter((pem) => !bundled.has(bare(pem))).join('\n'));
}
