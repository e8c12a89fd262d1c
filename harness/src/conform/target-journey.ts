import type { Page } from 'playwright-core';
import { RE2JS } from 're2js';
import type { BrowserOutcome, ScenarioRun, TargetSignIn } from '../run-context.js';
import type { RpInstance } from './rp-instance.js';

/**
 * "A person signs in to the target": the bridge's browserLogin, with the relying party under
 * test in its place. The browser opens the target's `signIn` page (clicks `signIn.click` if
 * given), goes through Entra's pages exactly as for the bridge, and the end state is judged by
 * the target's `signedIn` checks — all must hold — plus its identity endpoint when declared.
 */

/** How long a page may take to reach its signed-in state after the browser is back (a SPA redeems the code in script). */
const SETTLE_MS = 5_000;

/** Runs the browser journey (steps.ts) for a start URL; the judge takes over from there. */
export type TargetJourney = (startUrl: string, isBack: (u: URL) => boolean, begin: ((page: Page) => Promise<void>) | undefined) => Promise<BrowserOutcome>;

const AUTHORIZE = /\/oauth2\/(v2\.0\/)?authorize/i;

export async function signInToTarget(run: ScenarioRun, rp: RpInstance, upn: string, journey: TargetJourney): Promise<string> {
  const t = rp.target;
  const startUrl = new URL(t.signIn.path, `${rp.url.replace(/\/$/, '')}/`).href;
  const origin = new URL(rp.url).origin;
  const mockOrigin = new URL(run.env.idpUrl).origin;
  const click = t.signIn.click;
  const outcome = await journey(
    startUrl,
    (u) => u.origin === origin && u.origin !== mockOrigin,
    click
      ? async (page) => {
          await page.click(click);
        }
      : undefined,
  );
  const page = outcome.page;
  delete outcome.page;
  const authorizeHits = outcome.navigations.filter((n) => new URL(n).origin === mockOrigin && AUTHORIZE.test(new URL(n).pathname)).length;
  const judged: TargetSignIn = {
    step: outcome.step,
    user: upn,
    signedIn: false,
    evidence: [],
    finalUrl: outcome.finalUrl,
    status: outcome.lastStatus,
    title: '',
    serverError: false,
    authorizeHits,
    ...(outcome.journeyError ? { journeyError: outcome.journeyError } : {}),
  };
  run.targetSignIns.push(judged);
  if (page) await judgePage(run, rp, page, judged, outcome, origin);
  const where = `${judged.finalUrl} (HTTP ${judged.status ?? '?'}${judged.title ? `, "${judged.title}"` : ''})`;
  if (outcome.landed === 'error-page') return `ended on Microsoft's error page: AADSTS${outcome.errorPage?.aadsts} — no redirect to ${rp.name}`;
  if (judged.signedIn) return `signed in to ${rp.name}: ${judged.evidence.join('; ')}`;
  return `not signed in to ${rp.name}: ended at ${where}${judged.journeyError ? ` — ${judged.journeyError}` : ''}; ${judged.evidence.join('; ')}`;
}

async function judgePage(run: ScenarioRun, rp: RpInstance, page: Page, judged: TargetSignIn, outcome: BrowserOutcome, origin: string): Promise<void> {
  const s = rp.target.signedIn;
  await page.waitForLoadState('networkidle', { timeout: SETTLE_MS }).catch(() => undefined);
  const pattern = s.url !== undefined ? RE2JS.compile(s.url) : undefined;
  const evaluate = async (): Promise<{ ok: boolean; evidence: string[] }> => {
    const evidence: string[] = [];
    let ok = true;
    const here = new URL(page.url());
    if (here.origin !== origin) {
      evidence.push(`the browser is not at ${rp.name} but at ${here.origin}${here.pathname}`);
      return { ok: false, evidence };
    }
    if (pattern) {
      const hit = pattern.matcher(`${here.pathname}${here.search}`).find();
      ok &&= hit;
      evidence.push(`url ${hit ? 'matches' : 'does not match'} ${s.url} (${maskUrl(`${here.pathname}${here.search}`)})`);
    }
    if (s.selector !== undefined) {
      const n = await page
        .locator(s.selector)
        .count()
        .catch(() => 0);
      ok &&= n > 0;
      evidence.push(`${s.selector} ${n > 0 ? 'present' : 'absent'}`);
    }
    if (s.text !== undefined) {
      const body = await page.evaluate('document.body ? document.body.innerText : ""').catch(() => '');
      const has = typeof body === 'string' && body.includes(s.text);
      ok &&= has;
      evidence.push(`text "${s.text}" ${has ? 'shown' : 'not shown'}`);
    }
    return { ok, evidence };
  };
  let state = await evaluate();
  const deadline = Date.now() + SETTLE_MS;
  // A page still at the target may reach its signed-in state a moment later (script redeeming the code).
  while (!state.ok && outcome.landed === 'app' && !judged.journeyError && Date.now() < deadline) {
    await page.waitForTimeout(200);
    state = await evaluate();
  }
  judged.finalUrl = maskUrl(page.url());
  judged.title = await page.title().catch(() => '');
  judged.evidence = state.evidence;
  judged.serverError = new URL(page.url()).origin === origin && (judged.status ?? 0) >= 500;
  let signedIn = state.ok && !judged.journeyError;
  if (s.identity) {
    const url = new URL(s.identity.path, `${rp.url.replace(/\/$/, '')}/`).href;
    try {
      const r = await page.context().request.get(url, { failOnStatusCode: false, maxRedirects: 0 });
      const text = await r.text();
      let claims: unknown;
      try {
        claims = JSON.parse(text);
      } catch {
        claims = undefined;
      }
      if (r.status() === 200 && claims && typeof claims === 'object' && !Array.isArray(claims)) {
        judged.identity = claims as Record<string, unknown>;
        judged.evidence.push(`identity ${s.identity.path}: ${showIdentity(judged.identity)}`);
      } else {
        signedIn = false;
        judged.evidence.push(`identity ${s.identity.path} answered HTTP ${r.status()}${claims === undefined ? ' (not JSON)' : ''}`);
      }
    } catch (e) {
      signedIn = false;
      judged.evidence.push(`identity ${s.identity.path} unreachable: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  judged.signedIn = signedIn;
  try {
    const png = await page.screenshot({ type: 'png', timeout: 5_000 });
    run.screenshots.push({
      step: judged.step,
      label: signedIn ? 'target-signed-in' : 'target-not-signed-in',
      url: judged.finalUrl,
      png: png.toString('base64'),
    });
  } catch {
    // a page that cannot be captured is not the target's failure
  }
}

const maskUrl = (url: string): string => url.replace(/([?&#](?:code|id_token|access_token|refresh_token|session_state)=)[^&]*/gi, '$1***');

/** The identity claims a report shows. */
export function showIdentity(claims: Record<string, unknown>): string {
  const keys = ['preferred_username', 'upn', 'email', 'oid', 'sub', 'name', 'tid'];
  const shown = keys.filter((k) => k in claims).map((k) => `${k}=${JSON.stringify(claims[k])}`);
  return shown.length ? shown.join(', ') : JSON.stringify(claims).slice(0, 200);
}

/** The target's group sync (`groupSync` of its file), when a scenario asks for one. */
export async function triggerTargetGroupSync(rp: RpInstance): Promise<string> {
  const g = rp.target.groupSync;
  if (!g) throw new Error(`${rp.name} declares no groupSync`);
  const url = new URL(g.path, `${rp.url.replace(/\/$/, '')}/`).href;
  const r = await fetch(url, { method: g.method ?? 'POST', redirect: 'manual' });
  await r.body?.cancel();
  return `${rp.name}'s group sync (${g.method ?? 'POST'} ${g.path}) answered HTTP ${r.status}`;
}
