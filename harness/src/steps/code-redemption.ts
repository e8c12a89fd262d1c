import { randomBytes } from 'node:crypto';
import { trustingFetch, type FetchInit, type FetchLike } from '../../../mock-idp/src/testing.js';
import { signInThroughEntra } from '../drivers/entra-pages.js';
import type { ScenarioRun } from '../run-context.js';
import type { ConformNeeds, Step } from '../scenario.js';

/**
 * What happens around the authorization code once Entra has sent it: the callback replayed in
 * the browser (back button, a reload, a proxy retrying the request), the same code redeemed a
 * second time, and a PKCE `code_verifier` that is not the one whose challenge the sign-in sent
 * (two tabs sharing one session: the second sign-in overwrote the first's verifier).
 *
 * The bridge's own traffic to the token endpoint goes through a tap (its `fetch` setting): it
 * keeps the last code redemption exactly as the bridge sent it, and can rewrite the verifier.
 * Entra's answers are the mock's: AADSTS54005 for a code redeemed twice, AADSTS50148 for a
 * verifier that does not hash to the challenge (docs/entra-wire.md §6).
 */

const BRIDGE_ONLY = (reason: string): ConformNeeds => ({ needs: ['bridgeOnly'], reason });

interface Tap {
  /** The last code redemption the bridge sent: URL and form body. */
  lastRedemption?: { url: string; body: string };
  /** Replace the code_verifier of the bridge's next redemptions with this one. */
  codeVerifier?: string;
}

const taps = new WeakMap<ScenarioRun, Tap>();

/** Puts the tap between the bridge and the mock (once per run) and returns it. */
async function tapOf(run: ScenarioRun): Promise<Tap> {
  const existing = taps.get(run);
  if (existing) return existing;
  const tap: Tap = {};
  taps.set(run, tap);
  const base = trustingFetch(run.env.caPem);
  const fetch: FetchLike = async (input, init) => {
    const url = String(input);
    const body = formBody(init);
    if (body?.get('grant_type') === 'authorization_code' && (init?.method ?? 'GET').toUpperCase() === 'POST') {
      if (tap.codeVerifier !== undefined && body.has('code_verifier')) body.set('code_verifier', tap.codeVerifier);
      tap.lastRedemption = { url, body: body.toString() };
      return base(input, { ...init, body: body.toString() });
    }
    return base(input, init);
  };
  await run.configureBridge({ fetch });
  return tap;
}

/** A form body as openid-client sends it (URLSearchParams, or its text). */
function formBody(init: FetchInit | undefined): URLSearchParams | undefined {
  const b = init?.body;
  if (b instanceof URLSearchParams) return new URLSearchParams(b);
  if (typeof b === 'string') return new URLSearchParams(b);
  return undefined;
}

/**
 * A person signs in to the bridge in Chromium, and the bridge's callback — the redirect carrying
 * the code and the state — is then opened a second time in the same browser (the back button, a
 * reload, a retrying proxy). A correct relying party refuses the second one without calling
 * Entra: its state was single use (RFC 6749 10.12; OAuth 2.0 Security BCP, RFC 9700 4.7).
 *
 * @example replayCallback({ user: 'AdeleV@contoso.onmicrosoft.com' })
 */
export function replayCallback(o: { user: string }): Step {
  const step: Step = {
    kind: 'replayCallback',
    label: `${o.user} signs in to the bridge, then the browser opens the same callback again`,
    conform: BRIDGE_ONLY("replays the bridge's callback URL, which a target's journey does not expose"),
    async run(run: ScenarioRun) {
      await tapOf(run);
      const upn = (await run.user(o.user)).userPrincipalName;
      const bridge = await run.bridge();
      const origin = new URL(bridge.url).origin;
      const isCallback = (u: URL) => u.origin === origin && u.pathname.startsWith('/sso/callback');
      const context = await run.newBrowserContext();
      const page = await context.newPage();
      const callbacks: string[] = [];
      page.on('request', (r) => {
        if (r.isNavigationRequest() && r.frame() === page.mainFrame() && isCallback(new URL(r.url()))) callbacks.push(r.url());
      });
      await page.goto(bridge.loginUrl, { waitUntil: 'load' });
      const result = await signInThroughEntra(page, { user: upn, isDone: isCallback });
      const first = callbacks[0];
      if (result.kind !== 'app' || !first) throw new Error(`the sign-in never came back to the bridge (ended on ${result.kind} at ${page.url()})`);
      const firstStatus = bridge.status();
      const replay = await page.goto(first, { waitUntil: 'load' });
      const last = bridge.status().lastError;
      return `first callback: ${firstStatus.users.length} user(s) provisioned; the replayed callback answered HTTP ${replay?.status() ?? '?'}${last ? ` (${last.phase}: ${last.error})` : ''}`;
    },
  };
  return Object.freeze(step);
}

/**
 * The bridge's last code redemption is sent to the token endpoint once more, exactly as the
 * bridge sent it (same code, redirect URI, verifier and secret) — what a relying party without
 * single-use state does with a replayed callback, or one that retries a redemption whose answer
 * it lost. Entra redeems a code once: AADSTS54005, in the mock's request log like any token answer.
 */
export function redeemCodeAgain(): Step {
  const step: Step = {
    kind: 'redeemCodeAgain',
    label: "the bridge's last authorization code is redeemed a second time",
    conform: BRIDGE_ONLY("resends the bridge's own token request"),
    async run(run: ScenarioRun) {
      const sent = (await tapOf(run)).lastRedemption;
      if (!sent) throw new Error('the bridge has redeemed no authorization code yet: sign in first (replayCallback or browserLogin after it)');
      const res = await trustingFetch(run.env.caPem)(sent.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: sent.body,
      });
      const answer = (await res.json().catch(() => ({}))) as { error?: string; error_description?: string; error_codes?: number[] };
      const aadsts = answer.error_codes?.[0];
      if (res.ok) return `HTTP ${res.status}: the code was redeemed a second time`;
      // The mock's request log holds the answer too (expectAadsts(…, { surface: 'json' }) reads it there).
      const error = { error: answer.error ?? `HTTP${res.status}`, description: answer.error_description ?? '' };
      if (aadsts !== undefined)
        run.sawAadsts({ code: aadsts, error: error.error, message: error.description, where: `token endpoint JSON answer (step ${run.stepIndex + 1})` });
      return `refused: HTTP ${res.status} ${error.error}${aadsts !== undefined ? ` AADSTS${aadsts}` : ''}`;
    },
  };
  return Object.freeze(step);
}

/**
 * From now on the bridge redeems its codes with a `code_verifier` that is not the one whose
 * challenge its sign-in sent — as a relying party does when a second sign-in in another tab
 * overwrote the verifier kept in a shared session. Entra refuses the redemption (AADSTS50148).
 */
export function bridgeLosesCodeVerifier(): Step {
  const step: Step = {
    kind: 'bridgeLosesCodeVerifier',
    label: "the bridge redeems its codes with another sign-in's PKCE code_verifier",
    conform: BRIDGE_ONLY("rewrites the bridge's own token request"),
    async run(run: ScenarioRun) {
      const tap = await tapOf(run);
      // A well-formed verifier (43 characters of the unreserved set, RFC 7636 4.1) for another challenge.
      tap.codeVerifier = randomBytes(32).toString('base64url');
      return 'the next code redemptions carry a different code_verifier';
    },
  };
  return Object.freeze(step);
}
