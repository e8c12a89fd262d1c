import { createHash } from 'node:crypto';
import { connect } from 'node:tls';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningMockEntra } from '../../../src/index.js';
import { CHROMIUM_ARGS, findChromium } from '../../../src/testing.js';

/** The SPKI hash of the certificate `host` gets from the mock, verified against the impersonation CA. */
function pin(mock: RunningMockEntra, host: string): Promise<string> {
  const port = Number(new URL(mock.url).port);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: host, ca: mock.impersonation!.caPem }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (cert.pubkey) resolve(createHash('sha256').update(cert.pubkey).digest('base64'));
      else reject(new Error(`${host}: no certificate`));
    });
    socket.once('error', reject);
  });
}

/**
 * Chromium reaching https://login.microsoftonline.com at the impersonating mock: the name mapped
 * to the mock's port by `--host-resolver-rules`, and exactly the certificate Node verified
 * against the impersonation CA trusted (`--ignore-certificate-errors-spki-list`), nothing more.
 */
export async function launchChromiumAtMicrosoft(mock: RunningMockEntra): Promise<Browser> {
  const executablePath = findChromium();
  return chromium.launch({
    ...(executablePath ? { executablePath } : {}),
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      `--host-resolver-rules=MAP login.microsoftonline.com:443 127.0.0.1:${new URL(mock.url).port}`,
      `--ignore-certificate-errors-spki-list=${await pin(mock, 'login.microsoftonline.com')}`,
    ],
  });
}

/** Signs Adele (of `domain`) in on Microsoft's sign-in page, as a user would. */
export async function signInAdele(page: Page, domain: string): Promise<void> {
  await page.waitForURL(/^https:\/\/login\.microsoftonline\.com\//);
  await page.fill('input[name="loginfmt"]:not([type="hidden"])', `AdeleV@${domain}`);
  await page.click('#idSIButton9');
}
