import { signInThroughEntra } from '../drivers/entra-pages.js';
import type { ScenarioRun } from '../run-context.js';
import type { Step } from '../scenario.js';

/**
 * In production the relying party and Entra are never the same site (login.microsoftonline.com
 * vs the app's domain), so what a browser sends across — cookies above all, by their SameSite
 * attribute — matters. In a scenario both run on `localhost`, which hides it. This step puts the
 * bridge on another site: it is reached as `http://127.0.0.1:<port>` (its redirect URI too),
 * while the mock stays on `localhost`. The tenant must register that redirect URI
 * (`http://127.0.0.1:7000/sso/callback/vc-5f2a9c`: the port of a loopback URI is ignored,
 * https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions).
 */

/**
 * A person signs in to the bridge in Chromium with the bridge on another site than Entra (as in
 * production). The outcome is the bridge's: judge it with expectBridgeUser / expectRpRejects.
 *
 * @example browserLoginCrossSite({ user: 'AdeleV@contoso.onmicrosoft.com' })
 */
export function browserLoginCrossSite(o: { user: string }): Step {
  const step: Step = {
    kind: 'browserLoginCrossSite',
    label: `${o.user} signs in to the bridge in Chromium, the bridge on another site than Entra (http://127.0.0.1)`,
    conform: { needs: ['bridgeOnly'], reason: 'moves the reference bridge to another host name' },
    async run(run: ScenarioRun) {
      const upn = (await run.user(o.user)).userPrincipalName;
      const bridge = await run.bridge();
      const site = new URL(bridge.url);
      site.hostname = '127.0.0.1';
      const origin = site.origin;
      const code = new URL(bridge.redirectUri).pathname.split('/').pop() ?? '';
      await run.configureBridge({ redirectUri: `${origin}/sso/callback/${code}` });
      const context = await run.newBrowserContext();
      const page = await context.newPage();
      await page.goto(`${origin}/login`, { waitUntil: 'load' });
      const result = await signInThroughEntra(page, { user: upn, isDone: (u) => u.origin === origin && u.pathname.startsWith('/sso/callback') });
      if (result.kind !== 'app') return `ended on ${result.kind} at ${page.url()}`;
      await page.waitForLoadState('load');
      const status = bridge.status();
      const last = status.lastError;
      return status.users.length
        ? `back at the bridge (${origin}); provisioned ${status.users.map((u) => u.subject).join(', ')}`
        : `back at the bridge (${origin}), which refused: ${last ? `${last.phase}: ${last.error}` : 'nobody provisioned'}`;
    },
  };
  return Object.freeze(step);
}
