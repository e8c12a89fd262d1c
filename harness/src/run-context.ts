import type { BrowserContext, Page } from 'playwright-core';
import type { MockEntraControl, RequestLogEntry, TenantFixture, User } from '../../mock-idp/src/index.js';
import { CONTOSO } from '../../mock-idp/src/index.js';
import { startBridge, type BridgeConfig, type BridgeError, type RunningBridge } from '../bridge/index.js';
import type { HarnessEnvironment } from './environment.js';
import { localizeValue } from './localize.js';
import type { RpInstance } from './conform/rp-instance.js';
import type { ScenarioTenant } from './scenario-tenant.js';

/**
 * The state of one scenario run: its tenant, the bridge (started on first use), the browser
 * sessions, and what every step observed. Steps write it; expectations read it.
 */

/** The browser's journey of one sign-in. */
export interface BrowserOutcome {
  step: number;
  /** `target`: the relying party under test (conformance mode). */
  app: 'bridge' | 'spa' | 'target';
  user: string;
  /** Every top-level navigation request, redirects included, in order (codes masked). */
  navigations: string[];
  finalUrl: string;
  /** Where the browser ended. */
  landed: 'app' | 'error-page' | 'login-page' | 'consent-page' | 'other';
  /** Microsoft's error page, when the journey ended there. */
  errorPage?: { aadsts: number | undefined; error: string | undefined; message: string };
  /** An OAuth error the browser carried back to the app (query or fragment of the redirect URI). */
  redirectError?: { error: string; description: string; aadsts: number | undefined; url: string };
  /** What the app showed: the SPA's #claims (parsed) or #error text. */
  claims?: Record<string, unknown>;
  appError?: string;
  /** The HTTP status of the last top-level page the browser loaded. */
  lastStatus?: number;
  /** A target's journey the browser could not finish (a redirect loop, a page that never loaded). */
  journeyError?: string;
  /** A target's page, kept open for the judge until the run ends (not part of reports). */
  page?: Page;
}

/** A sign-in to the relying party under test, judged black-box (conformance mode). */
export interface TargetSignIn {
  step: number;
  user: string;
  /** Every `signedIn` check of the target held. */
  signedIn: boolean;
  /** Each check and what was seen, in words. */
  evidence: string[];
  finalUrl: string;
  status: number | undefined;
  title: string;
  /** The target answered its last page with a 5xx. */
  serverError: boolean;
  /** Navigations to the mock's authorize endpoint in this journey (≥ 5: a redirect loop). */
  authorizeHits: number;
  /** The identity endpoint's JSON (`signedIn.identity`), when it answered. */
  identity?: Record<string, unknown>;
  journeyError?: string;
}

/** A token obtained (or refused) without a browser. */
export interface TokenOutcome {
  step: number;
  kind: 'clientCredentials' | 'spaLogin';
  app: string;
  ok: boolean;
  claims?: Record<string, unknown>;
  error?: BridgeError | { error: string; description: string; aadsts?: number | undefined };
}

export interface Screenshot {
  step: number;
  label: string;
  url: string;
  /** PNG, base64. */
  png: string;
}

/** An AADSTS code the run saw, with its message and where. */
export interface AadstsSighting {
  code: number;
  error?: string | undefined;
  message: string;
  where: string;
}

export class ScenarioRun {
  readonly browserOutcomes: BrowserOutcome[] = [];
  readonly tokenOutcomes: TokenOutcome[] = [];
  readonly screenshots: Screenshot[] = [];
  readonly sightings: AadstsSighting[] = [];
  /** Conformance mode: the sign-ins to the target, judged. */
  readonly targetSignIns: TargetSignIn[] = [];
  /** Conformance mode: the relying party under test, which takes the bridge's place. */
  rp: RpInstance | undefined;
  /** Conformance mode: the scenario's skippable rule (expectRpRejects' `skippable`), by which every refusal check of it judges an acceptance. */
  skippableRule: string | undefined;
  /** The index of the running step (0-based). */
  stepIndex = 0;
  private bridgeHandle: RunningBridge | undefined;
  private bridgeOverrides: Partial<BridgeConfig> = {};
  private readonly contexts: BrowserContext[] = [];
  private readonly cleanups: Array<() => Promise<unknown>> = [];
  private fixtureCache: TenantFixture | undefined;

  constructor(
    readonly env: HarnessEnvironment,
    readonly tenant: ScenarioTenant,
  ) {}

  get control(): MockEntraControl {
    return this.env.control;
  }

  /** Maps the default tenant's id and domain in a value onto this run's tenant (deeply; RegExps untouched). */
  localize<T>(value: T): T {
    return localizeValue(value, this.tenant) as T;
  }

  /** The tenant's current fixture (re-read after changes). */
  async fixture(): Promise<TenantFixture> {
    this.fixtureCache ??= (await this.control.getTenant(this.tenant.id)).fixture;
    return this.fixtureCache;
  }

  /** Forget the cached fixture (after the tenant was changed). */
  tenantChanged(): void {
    this.fixtureCache = undefined;
  }

  /** A user of the tenant by UPN (any domain part written as contoso.onmicrosoft.com is mapped), mail or object id. */
  async user(ref: string): Promise<User> {
    const wanted = this.localize(ref).toLowerCase();
    const users = (await this.fixture()).users ?? [];
    const found = users.find((u) => u.userPrincipalName.toLowerCase() === wanted || u.id.toLowerCase() === wanted || (u.mail ?? '').toLowerCase() === wanted);
    if (!found)
      throw new Error(
        `no user '${ref}' in the scenario's tenant (${users.length} users, e.g. ${users
          .slice(0, 3)
          .map((u) => u.userPrincipalName)
          .join(', ')})`,
      );
    return found;
  }

  /** The bridge, started with the scenario's configuration on first use. */
  async bridge(): Promise<RunningBridge> {
    if (!this.bridgeHandle) {
      const config = { ...this.defaultBridgeConfig(), ...this.bridgeOverrides };
      this.bridgeHandle = await startBridge(config);
      const handle = this.bridgeHandle;
      this.cleanups.push(() => handle.close());
    }
    return this.bridgeHandle;
  }

  /** The bridge if it was started. */
  get startedBridge(): RunningBridge | undefined {
    return this.bridgeHandle;
  }

  async configureBridge(patch: Partial<BridgeConfig>): Promise<void> {
    const localized = this.localize(patch);
    if (this.bridgeHandle) await this.bridgeHandle.reconfigure(localized);
    else this.bridgeOverrides = { ...this.bridgeOverrides, ...localized };
  }

  defaultBridgeConfig(): BridgeConfig {
    return {
      discoveryUrl: this.tenant.discoveryUrl,
      clientId: CONTOSO.bridge.appId,
      clientSecret: CONTOSO.bridge.secret,
      verificationCode: new URL(CONTOSO.bridge.redirectUri).pathname.split('/').pop() ?? 'vc-5f2a9c',
      groupSync: true,
      ...this.idpTrust(),
      // Impersonating: Microsoft's names lead to the mock (impersonation-environment.ts).
      ...(this.env.microsoftFetch ? { fetch: this.env.microsoftFetch } : {}),
    };
  }

  /** How a Node client reaches the mock: its CA (HTTPS) or plain HTTP. */
  idpTrust(): { ca: string } | { allowInsecureRequests: true } | Record<string, never> {
    if (this.env.idpUrl.startsWith('http:')) return { allowInsecureRequests: true };
    return this.env.caPem ? { ca: this.env.caPem } : {};
  }

  /** A new browser session (own cookies), closed at the end of the run. */
  async newBrowserContext(): Promise<BrowserContext> {
    const context = await this.env.newBrowserContext();
    this.contexts.push(context);
    return context;
  }

  /** Something to undo when the run ends (servers the steps started). */
  onDispose(cleanup: () => Promise<unknown>): void {
    this.cleanups.push(cleanup);
  }

  sawAadsts(s: AadstsSighting): void {
    if (!this.sightings.some((x) => x.code === s.code && x.where === s.where && x.message === s.message)) this.sightings.push(s);
  }

  /** Every AADSTS the run saw: on pages and redirects, in token answers, and in the bridge's errors. */
  allSightings(): AadstsSighting[] {
    const out = [...this.sightings];
    for (const e of this.bridgeHandle?.status().errors ?? []) {
      if (e.aadsts !== undefined && !out.some((x) => x.code === e.aadsts && x.message === e.description)) {
        out.push({ code: e.aadsts, error: e.error, message: e.description, where: `bridge (${e.phase})` });
      }
    }
    return out;
  }

  async requests(): Promise<RequestLogEntry[]> {
    return this.control.requests(this.tenant.id);
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.contexts.map((c) => c.close()));
    await Promise.allSettled(this.cleanups.reverse().map((c) => c()));
  }
}
