import { signInThroughEntra } from '../drivers/entra-pages.js';
import type { ScenarioRun } from '../run-context.js';
import type { CheckResult, ConformNeeds, Expectation, Step } from '../scenario.js';

/**
 * Whether a sign-in leaves the browser signed in: after the callback, the same browser opens the
 * bridge's next page (`GET /me`) and is recognised by its session cookie — or is not, when the
 * cookie was too large to be stored (hundreds of groups in a cookie session: browser-session.ts
 * of the bridge, RFC 6265 6.1).
 */

const BRIDGE_ONLY: ConformNeeds = { needs: ['bridgeOnly'], reason: "opens the bridge's /me page after the sign-in" };

interface NextPage {
  upn: string;
  /** Bytes of the Set-Cookie the callback sent (name=value), 0 when none. */
  cookieBytes: number;
  /** GET /me: its status and the subject it named. */
  status: number;
  subject?: string;
}

const nextPages = new WeakMap<ScenarioRun, NextPage[]>();

/**
 * A person signs in to the bridge in Chromium and then opens the bridge's next page (`/me`) in the
 * same browser. Judge it with {@link expectBrowserSession}.
 *
 * @example signInThenNextPage({ user: 'AdeleV@contoso.onmicrosoft.com' })
 */
export function signInThenNextPage(o: { user: string }): Step {
  const step: Step = {
    kind: 'signInThenNextPage',
    label: `${o.user} signs in to the bridge in Chromium, then opens its next page (/me)`,
    conform: BRIDGE_ONLY,
    async run(run: ScenarioRun) {
      const upn = (await run.user(o.user)).userPrincipalName;
      const bridge = await run.bridge();
      const origin = new URL(bridge.url).origin;
      const isCallback = (u: URL) => u.origin === origin && u.pathname.startsWith('/sso/callback');
      const context = await run.newBrowserContext();
      const page = await context.newPage();
      let cookieBytes = 0;
      const reads: Promise<void>[] = [];
      page.on('response', (r) => {
        if (!isCallback(new URL(r.url()))) return;
        // Set-Cookie is only in the raw headers (headerValue), not in headers().
        reads.push(
          r.headerValue('set-cookie').then(
            (set) => {
              if (set) cookieBytes = Buffer.byteLength(set.split(';')[0] ?? '', 'utf8');
            },
            () => undefined,
          ),
        );
      });
      await page.goto(bridge.loginUrl, { waitUntil: 'load' });
      const result = await signInThroughEntra(page, { user: upn, isDone: isCallback });
      if (result.kind !== 'app') throw new Error(`the sign-in never came back to the bridge (ended on ${result.kind} at ${page.url()})`);
      await page.waitForLoadState('load');
      await Promise.all(reads);
      const me = await page.goto(`${bridge.url}/me`, { waitUntil: 'load' });
      const status = me?.status() ?? 0;
      const body = (await me?.json().catch(() => undefined)) as { subject?: unknown } | undefined;
      const seen: NextPage = { upn, cookieBytes, status, ...(typeof body?.subject === 'string' ? { subject: body.subject } : {}) };
      nextPages.set(run, [...(nextPages.get(run) ?? []), seen]);
      return `session cookie of ${cookieBytes} bytes; /me answered ${status}${seen.subject ? ` (${seen.subject})` : ''}`;
    },
  };
  return Object.freeze(step);
}

/**
 * After {@link signInThenNextPage}: the bridge's next page recognised the user (`signedIn: true`)
 * or answered 401 (`false`).
 *
 * @example expectBrowserSession({ user: 'AdeleV@contoso.onmicrosoft.com', signedIn: true })
 */
export function expectBrowserSession(e: { user: string; signedIn: boolean }): Expectation {
  const label = `${e.user} is ${e.signedIn ? 'still signed in' : 'no longer signed in'} on the bridge's next page`;
  const expectation: Expectation = {
    kind: 'expectBrowserSession',
    label,
    conform: BRIDGE_ONLY,
    async check(run: ScenarioRun): Promise<CheckResult> {
      const expected = run.localize(label);
      const upn = (await run.user(e.user).catch(() => undefined))?.userPrincipalName ?? run.localize(e.user);
      const seen = (nextPages.get(run) ?? []).find((p) => p.upn.toLowerCase() === upn.toLowerCase());
      if (!seen) return { ok: false, expected, actual: `${upn} never opened the next page (signInThenNextPage)` };
      const signedIn = seen.status === 200 && seen.subject !== undefined;
      return {
        ok: signedIn === e.signedIn,
        expected,
        actual: `the callback set a session cookie of ${seen.cookieBytes} bytes; /me answered ${seen.status}${seen.subject ? ` naming ${seen.subject}` : ''}`,
      };
    },
    mutated: () => expectBrowserSession({ ...e, signedIn: !e.signedIn }),
  };
  return Object.freeze(expectation);
}
