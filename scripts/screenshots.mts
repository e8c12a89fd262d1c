/**
 * The README's console screenshots (docs/images/console-*.png), made by `npm run docs:screenshots`
 * — never by the test run, which must leave a clone clean. It starts the mock on plain HTTP, makes
 * a little traffic (a sign-in refused after the "expired secret" switch, a Graph call with a
 * token), and photographs the tenants list, a tenant and its live request log in Chromium
 * (playwright-core + the system's Chromium, as the tests).
 */

import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMockEntra } from '../mock-idp/src/index.js';
import { CONTOSO } from '../mock-idp/src/contoso.js';
import { CHROMIUM_ARGS, findChromium } from '../mock-idp/src/testing.js';

const OUT = fileURLToPath(new URL('../docs/images/', import.meta.url));
const T = CONTOSO.tenantId;

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const mock = await startMockEntra({ port: 0, tls: false });
  const executablePath = findChromium();
  const browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const ui = `${mock.url}/_mock/ui`;
    const token = (secret: string) =>
      fetch(`${mock.url}/${T}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: CONTOSO.ingestion.appId,
          client_secret: secret,
          scope: 'https://graph.microsoft.com/.default',
        }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);

    const granted = await token(CONTOSO.ingestion.secret);
    await fetch(`${mock.url}/v1.0/groups?$top=5`, { headers: { authorization: `Bearer ${String(granted.access_token)}` } });

    await page.goto(ui);
    await page.screenshot({ path: `${OUT}console-tenants.png`, fullPage: false });

    // The "expired secret" switch, as a person applies it; then the ingestion client is refused.
    await page.goto(`${ui}/tenants/${T}`);
    const form = page.locator('form:has(input[name="scenario"][value="secrets/expired-secret"])');
    await form.getByLabel('Application', { exact: true }).selectOption({ label: 'OpenMetadata Ingestion' });
    await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: /: apply$/ }).click()]);
    await page.screenshot({ path: `${OUT}console-tenant.png`, fullPage: false });
    await token(CONTOSO.ingestion.secret);

    await page.goto(`${ui}/tenants/${T}/log`);
    await page.locator('#log-rows tr details summary').first().click();
    await page.screenshot({ path: `${OUT}console-log.png`, fullPage: false });
    console.log(`wrote ${OUT}console-tenants.png, console-tenant.png, console-log.png`);
  } finally {
    await browser.close();
    await mock.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
