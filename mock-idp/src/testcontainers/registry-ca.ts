import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/**
 * The CA certificates this process trusts beyond Node's bundled ones (those of
 * NODE_EXTRA_CA_CERTS that Node does not ship), as PEM: what the image's build stage needs to
 * reach the npm registry through a TLS-inspecting proxy (the Dockerfile's NPM_CA_PEM build
 * argument, used by that stage only). Empty when NODE_EXTRA_CA_CERTS is unset or unreadable.
 * scripts/registry-ca.mjs is the same selection for `docker build` on the command line.
 */
export function registryCaPem(env: NodeJS.ProcessEnv = process.env): string {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return '';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return ''; // Node itself starts without it (a warning): the build then trusts what Node ships.
  }
  const bare = (pem: string): string => pem.replace(/\s+/g, '');
  const bundled = new Set(rootCertificates.map(bare));
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return pems.filter((pem) => !bundled.has(bare(pem))).join('\n');
}
