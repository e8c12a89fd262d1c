import type { Page } from 'playwright-core';
import { CONTOSO, type GraphFaultSpec, type PatchOperation, type TenantFixture } from '../../mock-idp/src/index.js';
import { runIngestion, startSpa, type BridgeConfig } from '../bridge/index.js';
import { signInThroughEntra, type EntraPageKind } from './drivers/entra-pages.js';
import { signInToTarget, triggerTargetGroupSync } from './conform/target-journey.js';
import type { BrowserOutcome, ScenarioRun } from './run-context.js';
import type { ConformNeeds, Step } from './scenario.js';

/**
 * The steps a scenario can take. Each is a small object with a label (shown in reports) and a
 * `run` that records what happened in the run's state; an expected refusal (an AADSTS error, a
 * Graph error) is an outcome, not a step failure — a step fails only when it cannot be carried
 * out (the browser never got anywhere, the mock is unreachable…).
 */

function step(kind: string, label: string, run: (r: ScenarioRun) => Promise<string>, conform?: ConformNeeds): Step {
  return Object.freeze({ kind, label, run, ...(conform ? { conform } : {}) });
}

/** Steps that change only the tenant: they run unchanged on a target's tenant. */
const TENANT_ONLY: ConformNeeds = { needs: [] };
const bridgeOnly = (reason: string): ConformNeeds => ({ needs: ['bridgeOnly'], reason });

const maskSecrets = (url: string): string => url.replace(/([?&#](?:code|id_token|access_token|refresh_token)=)[^&]*/gi, '$1***');

/**
 * Changes the bridge's configuration — before it starts (initial settings) or later (like a
 * person editing the bridge's settings page). Values may use the default tenant's id/domain.
 *
 * @example configureBridge({ clientSecret: CONTOSO.bridge.appId })   // seed step 6's slip
 */
export function configureBridge(patch: Partial<Omit<BridgeConfig, 'ca' | 'fetch'>>): Step {
  const keys = Object.keys(patch);
  const shown = keys.map((k) =>
    k === 'clientSecret' ? `${k}=…${String(patch.clientSecret ?? '').slice(-6)}` : `${k}=${JSON.stringify((patch as Record<string, unknown>)[k])}`,
  );
  return step(
    'configureBridge',
    `configure the bridge: ${shown.join(', ') || 'defaults'}`,
    async (run) => {
      await run.configureBridge(patch);
      return `bridge configuration changed (${keys.join(', ') || 'nothing'})`;
    },
    bridgeOnly("changes the bridge's own settings"),
  );
}

/** The bridge's "Verify" button (seed step 9): fetch the discovery document, list the scopes. */
export function bridgeVerify(): Step {
  return step(
    'bridgeVerify',
    'the bridge verifies its discovery endpoint ("Verify")',
    async (run) => {
      const bridge = await run.bridge();
      const v = await bridge.verify();
      if (v?.ok) return `verified: issuer ${v.issuer}, ${v.scopesSupported.length} scopes supported`;
      return `verification failed: ${v?.error.error}${v?.error.aadsts ? ` (AADSTS${v.error.aadsts})` : ''} — ${v?.error.description ?? ''}`;
    },
    bridgeOnly('uses the bridge\'s "Verify" button'),
  );
}

export interface BrowserLoginOptions {
  /** The application the person signs in to. */
  app: 'bridge';
  /** Their sign-in name: a UPN (write the default tenant's domain; it is mapped onto the scenario's). */
  user: string;
  /** When the user has a password in the fixture. */
  password?: string;
  /** On a consent page: accept (default) or cancel. */
  consent?: 'accept' | 'cancel';
}

/**
 * A person signs in to the bridge in Chromium: opens its /login, picks their account on Entra's
 * sign-in page, and follows the browser wherever Entra sends it (back to the bridge, or
 * Microsoft's error page). Every page is screenshotted. In conformance mode the relying party
 * under test takes the bridge's place: the person starts at the target's `signIn` and the
 * outcome is judged by its `signedIn` checks (conform/target-journey.ts).
 */
export function browserLogin(o: BrowserLoginOptions): Step {
  return step(
    'browserLogin',
    `${o.user} signs in to the ${o.app} in Chromium`,
    async (run) => {
      const upn = await resolveUpn(run, o.user);
      if (run.rp) return signInToTarget(run, run.rp, upn, (start, isBack, begin) => browserJourney(run, 'target', upn, start, isBack, o, begin, true));
      const bridge = await run.bridge();
      const origin = new URL(bridge.url).origin;
      const outcome = await browserJourney(run, 'bridge', upn, bridge.loginUrl, (u) => u.origin === origin && u.pathname !== '/login', o);
      const status = bridge.status();
      const user = status.users.find((u) => Object.values(u.attributes).some((v) => v?.toLowerCase() === upn.toLowerCase()));
      if (outcome.landed === 'error-page') return `ended on Microsoft's error page: AADSTS${outcome.errorPage?.aadsts} — no redirect to the bridge`;
      if (outcome.landed !== 'app') return `ended on ${outcome.landed} (${outcome.finalUrl})`;
      if (user) return `back at the bridge; provisioned ${user.subject} with ${user.groups.length} group(s) (${user.groupSource})`;
      const err = status.lastError;
      return `back at the bridge, which refused the sign-in: ${err ? `${err.phase}: ${err.error}${err.aadsts ? ` AADSTS${err.aadsts}` : ''}` : 'no user provisioned'}`;
    },
    { needs: ['signIn'] },
  );
}

export interface SpaLoginOptions {
  /** Their sign-in name (UPN, default tenant's domain mapped). */
  user: string;
  /** Default `openid profile email`. */
  scopes?: string[];
  /** The SPA's client id (default: the OpenMetadata UI app). */
  clientId?: string;
  password?: string;
  consent?: 'accept' | 'cancel';
}

/**
 * OpenMetadata's single-page app: a public client doing authorization code + PKCE from the
 * browser (the code is redeemed by the page's own cross-origin fetch). Its ID token claims (or
 * its error) are recorded for `expectClaims` / `expectAadsts`.
 */
export function spaLogin(o: SpaLoginOptions): Step {
  return step(
    'spaLogin',
    `${o.user} signs in to the SPA (auth code + PKCE in the browser)${o.scopes ? ` asking ${o.scopes.join(' ')}` : ''}`,
    async (run) => {
      const upn = await resolveUpn(run, o.user);
      const spa = await startSpa({
        authority: run.tenant.authority,
        clientId: o.clientId ?? CONTOSO.openMetadataUi.appId,
        ...(o.scopes ? { scopes: run.localize(o.scopes) } : {}),
        ...run.idpTrust(),
      });
      run.onDispose(() => spa.close());
      const origin = new URL(spa.url).origin;
      const outcome = await browserJourney(
        run,
        'spa',
        upn,
        spa.url,
        (u) => u.origin === origin && u.pathname !== '/',
        o,
        async (page) => {
          await page.click('#login');
        },
      );
      const claims = outcome.claims;
      run.tokenOutcomes.push({
        step: run.stepIndex,
        kind: 'spaLogin',
        app: 'spa',
        ok: claims !== undefined,
        ...(claims ? { claims } : {}),
        ...(outcome.appError !== undefined || outcome.errorPage || outcome.redirectError ? { error: spaError(outcome) } : {}),
      });
      if (claims) return `the SPA shows the ID token of ${String(claims.preferred_username ?? claims.oid ?? '?')}`;
      if (outcome.landed === 'error-page') return `ended on Microsoft's error page: AADSTS${outcome.errorPage?.aadsts}`;
      return `the SPA shows an error: ${outcome.appError ?? outcome.redirectError?.description ?? outcome.landed}`;
    },
    bridgeOnly("signs in to the harness's own SPA, not to the relying party under test"),
  );
}

function spaError(o: BrowserOutcome): { error: string; description: string; aadsts?: number | undefined } {
  if (o.errorPage) return { error: o.errorPage.error ?? 'error_page', description: o.errorPage.message, aadsts: o.errorPage.aadsts };
  if (o.redirectError) return { error: o.redirectError.error, description: o.redirectError.description, aadsts: o.redirectError.aadsts };
  const text = o.appError ?? '';
  const m = /AADSTS(\d+)/.exec(text);
  return { error: 'spa_error', description: text, aadsts: m ? Number(m[1]) : undefined };
}

async function resolveUpn(run: ScenarioRun, ref: string): Promise<string> {
  try {
    return (await run.user(ref)).userPrincipalName;
  } catch {
    return run.localize(ref); // a user the tenant does not have: let Entra say so
  }
}

/** In the page (a string: see drivers/entra-pages.ts): the SPA shows its claims or its error. */
const SPA_SHOWS_RESULT = `['#claims', '#error'].some((s) => ((document.querySelector(s) || {}).textContent || '').trim() !== '')`;

/**
 * Opens `startUrl`, signs in through Entra's pages, and records the journey. `tolerant` (a
 * target in conformance mode): a journey the browser cannot finish — a redirect loop, a page
 * that never loads — is an outcome to judge, not a step failure; the page stays open for the
 * judge (`outcome.page`).
 */
async function browserJourney(
  run: ScenarioRun,
  app: BrowserOutcome['app'],
  upn: string,
  startUrl: string,
  isBack: (u: URL) => boolean,
  o: { password?: string | undefined; consent?: 'accept' | 'cancel' | undefined },
  start?: (page: Page) => Promise<void>,
  tolerant = false,
): Promise<BrowserOutcome> {
  const context = await run.newBrowserContext();
  const page = await context.newPage();
  const navigations: string[] = [];
  const outcome: BrowserOutcome = { step: run.stepIndex, app, user: upn, navigations, finalUrl: startUrl, landed: 'other' };
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigations.push(maskSecrets(r.url()));
  });
  page.on('response', (r) => {
    const req = r.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) outcome.lastStatus = r.status();
  });
  const stepNo = run.stepIndex;
  const shoot = async (p: Page, kind: EntraPageKind | 'app' | 'start') => {
    try {
      const png = await p.screenshot({ type: 'png', timeout: 5_000 });
      run.screenshots.push({ step: stepNo, label: kind, url: maskSecrets(p.url()), png: png.toString('base64') });
    } catch {
      // a page that cannot be captured is not the scenario's failure
    }
  };
  if (tolerant) outcome.page = page;
  run.browserOutcomes.push(outcome);
  try {
    await page.goto(startUrl, { waitUntil: 'load' });
    if (start) {
      await shoot(page, 'start');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), start(page)]);
    }
    const result = await signInThroughEntra(page, { user: upn, password: o.password, consent: o.consent, isDone: isBack, onPage: shoot });
    outcome.finalUrl = maskSecrets(page.url());
    outcome.landed =
      result.kind === 'app'
        ? 'app'
        : result.kind === 'error-page'
          ? 'error-page'
          : result.kind === 'login-page' || result.kind === 'password-page'
            ? 'login-page'
            : result.kind === 'consent-page'
              ? 'consent-page'
              : 'other';
    if (result.kind === 'error-page' && result.page) {
      outcome.errorPage = { aadsts: result.page.aadsts, error: result.page.error, message: result.page.message ?? '' };
      if (result.page.aadsts !== undefined)
        run.sawAadsts({
          code: result.page.aadsts,
          error: result.page.error,
          message: result.page.message ?? '',
          where: `Microsoft's error page (step ${stepNo + 1})`,
        });
    }
    // An OAuth error carried back to the app in the redirect (query or fragment).
    const back = navigations.map((n) => new URL(n)).find((u) => isBack(u) && (u.searchParams.has('error') || /(^#|&)error=/.test(u.hash)));
    if (back) {
      const params = back.searchParams.has('error') ? back.searchParams : new URLSearchParams(back.hash.slice(1));
      const description = params.get('error_description') ?? '';
      const m = /AADSTS(\d+)/.exec(description);
      outcome.redirectError = { error: params.get('error') ?? '', description, aadsts: m ? Number(m[1]) : undefined, url: back.href };
      if (m)
        run.sawAadsts({
          code: Number(m[1]),
          error: params.get('error') ?? undefined,
          message: description,
          where: `redirect to the ${app} (step ${stepNo + 1})`,
        });
    }
    if (app === 'spa' && outcome.landed === 'app') {
      const shown = await page.waitForFunction(SPA_SHOWS_RESULT, undefined, { timeout: 15_000 }).then(
        () => true,
        () => false,
      );
      if (shown) {
        const claimsText = ((await page.textContent('#claims').catch(() => null)) ?? '').trim();
        const errorText = ((await page.textContent('#error').catch(() => null)) ?? '').trim();
        if (claimsText) {
          try {
            outcome.claims = JSON.parse(claimsText) as Record<string, unknown>;
          } catch {
            outcome.appError = `#claims is not JSON: ${claimsText.slice(0, 200)}`;
          }
        } else if (errorText) {
          outcome.appError = errorText;
          const m = /AADSTS(\d+)/.exec(errorText);
          if (m) run.sawAadsts({ code: Number(m[1]), message: errorText, where: `the SPA's token request (step ${stepNo + 1})` });
        }
      } else outcome.appError = 'the SPA showed neither #claims nor #error within 15 s';
      await shoot(page, 'app');
    }
    return outcome;
  } catch (e) {
    outcome.finalUrl = maskSecrets(page.url());
    await shoot(page, 'other');
    const message = `the browser journey stopped at ${outcome.finalUrl}: ${(e as Error).message.split('\n')[0]}`;
    if (tolerant) {
      outcome.journeyError = message;
      return outcome;
    }
    throw new Error(message, { cause: e });
  }
}

/** The bridge's group synchronization (seed step 17): client credentials, then Graph /groups, every page. A target's `groupSync` endpoint in conformance mode. */
export function groupSync(): Step {
  return step('groupSync', 'the bridge synchronizes groups from Microsoft Graph', async (run) => (run.rp ? triggerTargetGroupSync(run.rp) : syncSummary(run)), {
    needs: ['groupSync'],
  });
}

/** "Synchronize Groups" again, after changes in the tenant (seed step 17: resynchronize). */
export function resync(): Step {
  return step(
    'resync',
    'the bridge resynchronizes groups ("Synchronize Groups")',
    async (run) => (run.rp ? triggerTargetGroupSync(run.rp) : syncSummary(run)),
    {
      needs: ['groupSync'],
    },
  );
}

async function syncSummary(run: ScenarioRun): Promise<string> {
  const bridge = await run.bridge();
  const s = await bridge.syncGroups();
  if (!s) return 'no sync ran';
  if (s.ok) return `synchronized ${s.groups} group(s) in ${s.pages} page(s), ${s.retries} retr${s.retries === 1 ? 'y' : 'ies'}`;
  const e = bridge.status().lastError;
  return `sync failed after ${s.pages} page(s): ${e ? `${e.error}${e.aadsts ? ` AADSTS${e.aadsts}` : ''}${e.graphCode ? ` (${e.status ?? ''} ${e.graphCode})` : ''}` : 'no error recorded'}`;
}

export interface ClientCredentialsOptions {
  /** Which app asks: OpenMetadata's ingestion service (default) or the bridge. */
  app?: 'ingestion' | 'bridge';
  /** Default `api://<OpenMetadata UI appId>/.default`. */
  scope?: string;
  /** Default: the app's valid secret. */
  clientSecret?: string;
  /** Default: the app's appId. */
  clientId?: string;
}

/** A service gets an app-only token with its secret (OpenMetadata "Configure Ingestion"). */
export function clientCredentials(o: ClientCredentialsOptions = {}): Step {
  const app = o.app ?? 'ingestion';
  const scope = o.scope ?? `${CONTOSO.openMetadataUi.apiUri}/.default`;
  return step(
    'clientCredentials',
    `the ${app} client asks for an app-only token for ${scope}`,
    async (run) => {
      const defaults =
        app === 'bridge'
          ? { clientId: CONTOSO.bridge.appId, clientSecret: CONTOSO.bridge.secret }
          : { clientId: CONTOSO.ingestion.appId, clientSecret: CONTOSO.ingestion.secret };
      const result = await runIngestion({
        authority: run.tenant.authority,
        clientId: run.localize(o.clientId ?? defaults.clientId),
        clientSecret: o.clientSecret ?? defaults.clientSecret,
        scope: run.localize(scope),
        ...run.idpTrust(),
      });
      if (result.ok) {
        run.tokenOutcomes.push({ step: run.stepIndex, kind: 'clientCredentials', app, ok: true, claims: result.claims });
        return `got a ${String(result.claims.ver ?? '?')} access token for ${String(result.claims.aud)}`;
      }
      run.tokenOutcomes.push({ step: run.stepIndex, kind: 'clientCredentials', app, ok: false, error: result.error });
      if (result.error.aadsts !== undefined) {
        run.sawAadsts({
          code: result.error.aadsts,
          error: result.error.error,
          message: result.error.description,
          where: `token endpoint JSON answer (step ${run.stepIndex + 1})`,
        });
      }
      return `refused: ${result.error.error}${result.error.aadsts ? ` AADSTS${result.error.aadsts}` : ''} (HTTP ${result.error.status ?? '?'})`;
    },
    bridgeOnly("asks a token for the harness's own ingestion client or the bridge, not the relying party under test"),
  );
}

/**
 * An administrator changes the tenant mid-scenario: a JSON Patch, or a function editing the
 * tenant's current fixture (which then replaces it). Default tenant ids/domain are mapped.
 *
 * @example changeTenant([{ op: 'replace', path: '/applications/0/groupMembershipClaims', value: null }])
 * @example changeTenant((t) => { t.groups!.pop(); }, 'delete the last group')
 */
export function changeTenant(change: PatchOperation[] | ((fixture: TenantFixture) => void), label?: string): Step {
  const what = label ?? (Array.isArray(change) ? change.map((op) => `${op.op} ${op.path}`).join(', ') : 'edit the fixture');
  return step(
    'changeTenant',
    `the tenant changes: ${what}`,
    async (run) => {
      if (Array.isArray(change)) {
        await run.control.patchFixture(run.tenant.id, run.localize(change));
      } else {
        const fixture = structuredClone((await run.control.getTenant(run.tenant.id)).fixture);
        change(fixture);
        await run.control.replaceFixture(run.tenant.id, fixture);
      }
      run.tenantChanged();
      return `tenant changed (${what})`;
    },
    TENANT_ONLY,
  );
}

/** What `graphFault()` injects: the test-control API's Graph fault (README, test-control API). */
export type GraphFaultOptions = GraphFaultSpec;

/** Microsoft Graph misbehaves for this tenant only: throttling (429 + Retry-After), 5xx, latency. */
export function graphFault(spec: GraphFaultOptions): Step {
  const parts = [
    spec.status ? `HTTP ${spec.status}` : '',
    spec.retryAfterSeconds !== undefined ? `Retry-After ${spec.retryAfterSeconds}s` : '',
    spec.latencyMs ? `+${spec.latencyMs} ms` : '',
    spec.count ? `next ${spec.count} call(s)` : '',
    spec.path ? `on ${spec.path}` : '',
  ];
  return step(
    'graphFault',
    `Microsoft Graph answers ${parts.filter(Boolean).join(', ')}`,
    async (run) => {
      const fault = await run.control.setGraphFault(run.tenant.id, spec);
      return `Graph fault ${fault.id} set`;
    },
    TENANT_ONLY,
  );
}

/** Moves the tenant's clock (token times, secret expiry, code lifetimes). */
export function tenantClock(o: { advanceSeconds: number } | { set: string }): Step {
  const label =
    'advanceSeconds' in o
      ? `the tenant's clock moves ${o.advanceSeconds >= 0 ? 'forward' : 'back'} ${Math.abs(o.advanceSeconds)} s`
      : `the tenant's clock is set to ${o.set}`;
  return step(
    'tenantClock',
    label,
    async (run) => {
      const r = 'advanceSeconds' in o ? await run.control.advanceClock(run.tenant.id, o.advanceSeconds) : await run.control.setClock(run.tenant.id, o.set);
      return `tenant time is now ${r.now}`;
    },
    TENANT_ONLY,
  );
}
