import type { BridgeError, BridgePhase, BridgeUser } from '../bridge/index.js';
import type { BrowserOutcome, ScenarioRun } from './run-context.js';
import { judgeAccepted, judgeRefused, judgeSignedInAs } from './conform/judge.js';
import type { CheckResult, ConformNeeds, Expectation } from './scenario.js';

/**
 * The outcomes a scenario can expect. Each checks the run's recorded state (browser journeys,
 * token answers, the bridge's status API, the tenant, the mock's request log) and says, in
 * words and values, what it expected and what it saw. Each also knows how to be *wrong*
 * (`mutated()`), which the harness's own test uses to prove every expectation is really checked.
 */

function expectation(
  kind: string,
  label: string,
  check: (run: ScenarioRun) => Promise<CheckResult>,
  mutated: () => Expectation,
  conform?: ConformNeeds,
): Expectation {
  return Object.freeze({ kind, label, check, mutated, ...(conform ? { conform } : {}) });
}

/** Conformance mode: what the relying party under test must be able to do for this expectation to be judged. */
const JUDGED_ON_SIGN_IN: ConformNeeds = { needs: ['signIn'] };
const bridgeOnly = (reason: string): ConformNeeds => ({ needs: ['bridgeOnly'], reason });

const j = (v: unknown): string => (v instanceof RegExp ? String(v) : JSON.stringify(v));

function describeBridgeError(e: BridgeError): string {
  return `[${e.phase}] ${e.error}${e.aadsts !== undefined ? ` AADSTS${e.aadsts}` : ''}${e.graphCode && e.graphCode !== e.error ? ` ${e.graphCode}` : ''}${e.status ? ` (HTTP ${e.status})` : ''} — ${e.description.split(/\r?\n/)[0]}`;
}

function describeJourney(o: BrowserOutcome): string {
  const where =
    o.landed === 'error-page'
      ? `on Microsoft's error page with AADSTS${o.errorPage?.aadsts ?? '?'}`
      : o.landed === 'app'
        ? `back at the ${o.app}`
        : `on ${o.landed}`;
  const back = o.redirectError ? `; redirect carried ${o.redirectError.error}${o.redirectError.aadsts ? ` AADSTS${o.redirectError.aadsts}` : ''}` : '';
  return `step ${o.step + 1}: ${o.user} ended ${where}${back}`;
}

// ───────────────────────────── AADSTS ─────────────────────────────

export type AadstsSurface = 'error-page' | 'redirect' | 'json' | 'bridge';

export interface AadstsOptions {
  /**
   * Where the code must appear:
   * - `error-page`: a browser sign-in ended on Microsoft's error page showing it, and the browser was never redirected back to the app;
   * - `redirect`: the browser came back to the app's redirect URI with `error`/`error_description` carrying it;
   * - `json`: the mock answered a (token) request with a JSON error carrying it;
   * - `bridge`: the bridge reports it (status API: its errors);
   * - absent: anywhere.
   */
  surface?: AadstsSurface;
  /** With `surface: 'bridge'`: the bridge's phase that failed (`token`, `group-sync`, `verify`…). */
  phase?: BridgePhase;
}

/**
 * Entra refused with this AADSTS code, on this surface.
 *
 * @example expectAadsts(50011, { surface: 'error-page' })
 * @example expectAadsts(7000222, { surface: 'bridge', phase: 'group-sync' })
 */
export function expectAadsts(code: number, o: AadstsOptions = {}): Expectation {
  const surface = o.surface;
  const where =
    surface === 'error-page'
      ? "on Microsoft's error page, with no redirect to the app"
      : surface === 'redirect'
        ? 'in the redirect back to the app'
        : surface === 'json'
          ? 'in a JSON error answer of the mock'
          : surface === 'bridge'
            ? `reported by the bridge${o.phase ? ` (phase ${o.phase})` : ''}`
            : 'anywhere';
  const label = `AADSTS${code} ${where}`;
  return expectation(
    'expectAadsts',
    label,
    async (run) => {
      const found: string[] = [];
      const seen: string[] = [];
      if (!surface || surface === 'error-page') {
        for (const b of run.browserOutcomes) {
          seen.push(describeJourney(b));
          if (b.landed === 'error-page' && b.errorPage?.aadsts === code) {
            const redirected = redirectedAfterError(b);
            if (!redirected) found.push(`error page: ${b.errorPage.message}`);
            else seen.push(`…but the browser was then redirected to ${redirected}`);
          }
        }
      }
      if (!surface || surface === 'redirect') {
        for (const b of run.browserOutcomes) {
          if (surface) seen.push(describeJourney(b));
          if (b.redirectError?.aadsts === code) found.push(`redirect: ${b.redirectError.error}: ${b.redirectError.description}`);
        }
      }
      if (!surface || surface === 'json') {
        const log = await run.requests();
        const answers = log.filter((e) => e.aadsts !== undefined && !e.endpoint.startsWith('authorize'));
        for (const e of answers) if (e.aadsts === code) found.push(`${e.method} ${e.url} → ${e.status} AADSTS${e.aadsts}`);
        seen.push(...answers.map((e) => `${e.endpoint} answered ${e.status} AADSTS${e.aadsts}`));
        for (const t of run.tokenOutcomes) if (t.error?.aadsts === code && !found.length) found.push(`${t.kind}: ${t.error.description}`);
      }
      if (!surface || surface === 'bridge') {
        const errors = run.startedBridge?.status().errors ?? [];
        for (const e of errors) if (e.aadsts === code && (!o.phase || e.phase === o.phase)) found.push(`the bridge reports ${describeBridgeError(e)}`);
        seen.push(...errors.map((e) => `the bridge reports ${describeBridgeError(e)}`));
        if (!run.startedBridge && surface === 'bridge') seen.push('the bridge was never started');
      }
      return {
        ok: found.length > 0,
        expected: label,
        actual: found.length > 0 ? found.join('; ') : seen.length > 0 ? [...new Set(seen)].join('; ') : 'no AADSTS error anywhere',
      };
    },
    () => expectAadsts(code === 50011 ? 7000215 : 50011, o),
    surface === 'bridge' ? bridgeOnly("reads the bridge's own error record") : { needs: [] },
  );
}

/** The navigation after the error page that went back to the app, if any. */
function redirectedAfterError(b: BrowserOutcome): string | undefined {
  const start = new URL(b.navigations[0] ?? b.finalUrl).origin;
  const lastMock = b.navigations.findLastIndex((n) => /\/oauth2\/(v2\.0\/)?authorize/i.test(n));
  return b.navigations.slice(lastMock + 1).find((n) => new URL(n).origin === start);
}

// ───────────────────────────── Graph ─────────────────────────────

/**
 * Microsoft Graph refused the bridge with this error code (`error.code` of Graph's body).
 *
 * @example expectGraphError('Authorization_RequestDenied', { status: 403 })
 */
export function expectGraphError(code: string, o: { status?: number; phase?: BridgePhase } = {}): Expectation {
  const label = `Microsoft Graph answered ${o.status ? `${o.status} ` : ''}${code}${o.phase ? ` (bridge phase ${o.phase})` : ''}`;
  return expectation(
    'expectGraphError',
    label,
    async (run) => {
      const errors = run.startedBridge?.status().errors ?? [];
      const hit = errors.find((e) => e.graphCode === code && (o.status === undefined || e.status === o.status) && (!o.phase || e.phase === o.phase));
      const graphCalls = (await run.requests()).filter((e) => e.endpoint.startsWith('graph') && e.status >= 400);
      return {
        ok: hit !== undefined,
        expected: label,
        actual: hit
          ? `bridge: ${describeBridgeError(hit)}`
          : [
              errors.length
                ? `bridge errors: ${errors.map(describeBridgeError).join('; ')}`
                : run.startedBridge
                  ? 'the bridge reports no error'
                  : 'the bridge was never started',
              graphCalls.length
                ? `Graph refusals in the mock's log: ${graphCalls.map((e) => `${e.method} ${e.url} → ${e.status} ${e.error ?? ''}`).join('; ')}`
                : "no Graph refusal in the mock's log",
            ].join('; '),
      };
    },
    () => expectGraphError(code === 'Authorization_RequestDenied' ? 'Request_ResourceNotFound' : 'Authorization_RequestDenied', o),
    bridgeOnly("reads the bridge's record of Graph's answers"),
  );
}

// ───────────────────────────── bridge state ─────────────────────────────

export interface BridgeUserExpectation {
  /** The user's UPN (default tenant's domain mapped) or object id. */
  user: string;
  /** Bridge attributes, exactly (null = the attribute is empty). Default tenant's domain mapped. */
  attributes?: Record<string, string | null>;
  /** The user's groups in the bridge, as Azure group ids (any order, exactly these). */
  groups?: string[];
  /** How many groups. */
  groupCount?: number;
  /** Where the groups came from: the token's claim, Graph after an overage pointer, or nowhere. */
  groupSource?: BridgeUser['groupSource'];
}

function findBridgeUser(users: BridgeUser[], oid: string, upn: string): BridgeUser | undefined {
  return (
    users.find((u) => u.subject.toLowerCase() === oid.toLowerCase()) ??
    users.find((u) => Object.values(u.attributes).some((v) => v?.toLowerCase() === upn.toLowerCase()))
  );
}

function showUser(u: BridgeUser): string {
  const groups = u.groups.length > 6 ? `${u.groups.length} groups` : `groups ${j([...u.groups].sort())}`;
  return `${u.subject}: ${Object.entries(u.attributes)
    .map(([k, v]) => `${k}=${j(v)}`)
    .join(', ')}; ${groups} (${u.groupSource})`;
}

/**
 * The bridge provisioned this user (just-in-time, at sign-in) with these attributes and groups.
 *
 * @example expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', attributes: { email: 'AdeleV@contoso.com' }, groups: [CONTOSO.groups.engineering], groupSource: 'claim' })
 */
export function expectBridgeUser(e: BridgeUserExpectation): Expectation {
  const parts: string[] = [];
  if (e.attributes)
    parts.push(
      Object.entries(e.attributes)
        .map(([k, v]) => `${k}=${j(v)}`)
        .join(', '),
    );
  if (e.groups) parts.push(`groups ${j([...e.groups].sort())}`);
  if (e.groupCount !== undefined) parts.push(`${e.groupCount} groups`);
  if (e.groupSource) parts.push(`groups from ${e.groupSource}`);
  const label = `the bridge provisioned ${e.user}${parts.length ? ` with ${parts.join('; ')}` : ''}`;
  return expectation(
    'expectBridgeUser',
    label,
    async (run) => {
      const want = run.localize(e);
      const fixtureUser = await run.user(e.user).catch(() => undefined);
      if (run.rp)
        return judgeSignedInAs(run, `${run.rp.name} signs ${want.user} in`, {
          upn: fixtureUser?.userPrincipalName ?? want.user,
          id: fixtureUser?.id,
          mail: fixtureUser?.mail ?? undefined,
        });
      const users = run.startedBridge?.status().users ?? [];
      const u = findBridgeUser(users, fixtureUser?.id ?? want.user, fixtureUser?.userPrincipalName ?? want.user);
      const expected = run.localize(label);
      if (!u) {
        return {
          ok: false,
          expected,
          actual: run.startedBridge
            ? `no such user in the bridge; its users: ${users.length ? users.map(showUser).join(' | ') : 'none'}${lastBridgeError(run)}`
            : 'the bridge was never started',
        };
      }
      const wrong: string[] = [];
      for (const [k, v] of Object.entries(want.attributes ?? {}))
        if ((u.attributes[k] ?? null) !== v) wrong.push(`${k}: expected ${j(v)}, got ${j(u.attributes[k] ?? null)}`);
      if (want.groups) {
        const a = [...u.groups].map((g) => g.toLowerCase()).sort();
        const b = [...want.groups].map((g) => g.toLowerCase()).sort();
        if (j(a) !== j(b)) wrong.push(`groups: expected ${j(b)}, got ${u.groups.length > 12 ? `${u.groups.length} groups` : j(a)}`);
      }
      if (want.groupCount !== undefined && u.groups.length !== want.groupCount) wrong.push(`group count: expected ${want.groupCount}, got ${u.groups.length}`);
      if (want.groupSource && u.groupSource !== want.groupSource) wrong.push(`group source: expected ${want.groupSource}, got ${u.groupSource}`);
      return { ok: wrong.length === 0, expected, actual: wrong.length ? `${wrong.join('; ')} — user ${showUser(u)}` : showUser(u) };
    },
    () => {
      const first = Object.entries(e.attributes ?? {})[0];
      if (first) return expectBridgeUser({ ...e, attributes: { ...e.attributes, [first[0]]: `${first[1] ?? ''}-changed` } });
      if (e.groups) return expectBridgeUser({ ...e, groups: [...e.groups, '00000000-0000-0000-0000-00000000beef'] });
      if (e.groupCount !== undefined) return expectBridgeUser({ ...e, groupCount: e.groupCount + 1 });
      if (e.groupSource) return expectBridgeUser({ ...e, groupSource: e.groupSource === 'claim' ? 'none' : 'claim' });
      return expectNoBridgeUser(e.user);
    },
    // A target is judged on who signed in; the bridge's attribute mapping and groups are its own.
    e.attributes || e.groups || e.groupCount !== undefined || e.groupSource
      ? bridgeOnly("checks the bridge's provisioned attributes and groups")
      : JUDGED_ON_SIGN_IN,
  );
}

function lastBridgeError(run: ScenarioRun): string {
  const e = run.startedBridge?.status().lastError;
  return e ? `; the bridge's last error: ${describeBridgeError(e)}` : '';
}

/** The bridge provisioned nobody (or not this user). */
export function expectNoBridgeUser(user?: string): Expectation {
  const label = user ? `the bridge did not provision ${user}` : 'the bridge provisioned no user';
  return expectation(
    'expectNoBridgeUser',
    label,
    async (run) => {
      if (run.rp) return judgeRefused(run, `${run.rp.name} signs nobody in`, run.skippableRule);
      const users = run.startedBridge?.status().users ?? [];
      let offending = users;
      if (user) {
        const fixtureUser = await run.user(user).catch(() => undefined);
        const u = findBridgeUser(users, fixtureUser?.id ?? run.localize(user), fixtureUser?.userPrincipalName ?? run.localize(user));
        offending = u ? [u] : [];
      }
      return {
        ok: offending.length === 0,
        expected: run.localize(label),
        actual: offending.length ? `provisioned: ${offending.map(showUser).join(' | ')}` : `no such user (${users.length} user(s) in the bridge)`,
      };
    },
    () => expectBridgeUser({ user: user ?? 'AdeleV@contoso.onmicrosoft.com' }),
    JUDGED_ON_SIGN_IN,
  );
}

export type BridgeGroupsExpectation =
  | 'tenant'
  | {
      /** Exactly this many groups. */
      count?: number;
      /** These groups exist (by id; with a displayName, also named so). */
      include?: Array<string | { id: string; displayName?: string; members?: string[] }>;
      /** These group ids do not exist. */
      exclude?: string[];
    };

/**
 * The bridge's synchronized groups. `'tenant'`: exactly the tenant's groups as they are now
 * (ids and display names), read back from the mock.
 *
 * @example expectBridgeGroups('tenant')
 * @example expectBridgeGroups({ include: [{ id: CONTOSO.groups.engineering, displayName: 'Platform Engineering' }], exclude: [CONTOSO.groups.dataStewards] })
 */
export function expectBridgeGroups(e: BridgeGroupsExpectation, phantom?: string): Expectation {
  const label =
    e === 'tenant'
      ? `the bridge's groups equal the tenant's (ids and names)${phantom ? ` plus ${phantom}` : ''}`
      : `the bridge's groups: ${[
          e.count !== undefined ? `${e.count} group(s)` : '',
          e.include?.length
            ? `including ${e.include.map((g) => (typeof g === 'string' ? g : g.displayName ? `${g.id} "${g.displayName}"` : g.id)).join(', ')}`
            : '',
          e.exclude?.length ? `not ${e.exclude.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ')}`;
  return expectation(
    'expectBridgeGroups',
    label,
    async (run) => {
      if (!run.startedBridge) return { ok: false, expected: label, actual: 'the bridge was never started' };
      const status = run.startedBridge.status();
      const have = new Map(status.groups.map((g) => [g.id.toLowerCase(), g]));
      const problems: string[] = [];
      if (e === 'tenant') {
        const tenantGroups = ((await run.fixture()).groups ?? []).map((g) => ({ id: g.id.toLowerCase(), displayName: g.displayName }));
        if (phantom) tenantGroups.push({ id: phantom, displayName: 'phantom' });
        const want = new Map(tenantGroups.map((g) => [g.id, g]));
        const missing = tenantGroups.filter((g) => !have.has(g.id));
        const extra = status.groups.filter((g) => !want.has(g.id.toLowerCase()));
        const renamed = tenantGroups.filter((g) => have.has(g.id) && have.get(g.id)!.displayName !== g.displayName);
        if (missing.length)
          problems.push(
            `${missing.length} tenant group(s) missing, e.g. ${missing
              .slice(0, 3)
              .map((g) => `${g.id} "${g.displayName}"`)
              .join(', ')}`,
          );
        if (extra.length)
          problems.push(
            `${extra.length} group(s) the tenant does not have, e.g. ${extra
              .slice(0, 3)
              .map((g) => `${g.id} "${g.displayName}"`)
              .join(', ')}`,
          );
        if (renamed.length)
          problems.push(
            `${renamed.length} group(s) named differently, e.g. ${renamed
              .slice(0, 3)
              .map((g) => `${g.id}: tenant "${g.displayName}", bridge "${have.get(g.id)!.displayName}"`)
              .join(', ')}`,
          );
        const summary = `the tenant has ${tenantGroups.length} group(s), the bridge ${status.groups.length}${status.lastSync ? ` (last sync: ${status.lastSync.ok ? 'ok' : 'failed'}, ${status.lastSync.pages} page(s), ${status.lastSync.retries} retr${status.lastSync.retries === 1 ? 'y' : 'ies'})` : ' (never synchronized)'}`;
        return { ok: problems.length === 0, expected: label, actual: problems.length ? `${summary}: ${problems.join('; ')}${lastBridgeError(run)}` : summary };
      }
      const want = run.localize(e);
      if (want.count !== undefined && status.groups.length !== want.count) problems.push(`expected ${want.count} group(s), got ${status.groups.length}`);
      for (const g of want.include ?? []) {
        const spec = typeof g === 'string' ? { id: g } : g;
        const found = have.get(spec.id.toLowerCase());
        if (!found) problems.push(`group ${spec.id} missing`);
        else {
          if (spec.displayName !== undefined && found.displayName !== spec.displayName)
            problems.push(`group ${spec.id}: expected name "${spec.displayName}", got "${found.displayName}"`);
          if (spec.members && j([...spec.members].sort()) !== j([...found.members].sort()))
            problems.push(`group ${spec.id}: expected members ${j([...spec.members].sort())}, got ${j([...found.members].sort())}`);
        }
      }
      for (const id of want.exclude ?? [])
        if (have.has(id.toLowerCase())) problems.push(`group ${id} still there ("${have.get(id.toLowerCase())!.displayName}")`);
      const shown = status.groups.length > 8 ? `${status.groups.length} groups` : j(status.groups.map((g) => `${g.id} "${g.displayName}"`));
      return {
        ok: problems.length === 0,
        expected: label,
        actual: problems.length ? `${problems.join('; ')} — bridge groups: ${shown}${lastBridgeError(run)}` : `bridge groups: ${shown}`,
      };
    },
    () => (e === 'tenant' ? expectBridgeGroups('tenant', '00000000-0000-0000-0000-00000000beef') : expectBridgeGroups({ ...e, count: (e.count ?? -2) + 1 })),
    bridgeOnly("reads the bridge's synchronized groups"),
  );
}

export interface GroupSyncExpectation {
  /** Whether the last sync succeeded (default true). */
  ok?: boolean;
  /** At least this many pages of /groups. */
  minPages?: number;
  /** At least this many retries after 429/503. */
  minRetries?: number;
  /** Exactly this many groups synchronized. */
  groups?: number;
}

/**
 * The bridge's last group synchronization.
 *
 * @example expectGroupSync({ ok: true, minRetries: 1 })   // throttled, and still completed
 */
export function expectGroupSync(e: GroupSyncExpectation = {}): Expectation {
  const ok = e.ok ?? true;
  const label = `the last group sync ${ok ? 'completed' : 'failed'}${e.minPages !== undefined ? `, ≥ ${e.minPages} page(s)` : ''}${e.minRetries !== undefined ? `, ≥ ${e.minRetries} retr${e.minRetries === 1 ? 'y' : 'ies'} after throttling` : ''}${e.groups !== undefined ? `, ${e.groups} group(s)` : ''}`;
  return expectation(
    'expectGroupSync',
    label,
    async (run) => {
      const s = run.startedBridge?.status().lastSync;
      if (!s) return { ok: false, expected: label, actual: run.startedBridge ? 'the bridge never synchronized' : 'the bridge was never started' };
      const problems: string[] = [];
      if (s.ok !== ok) problems.push(ok ? `it failed${s.error ? `: ${describeBridgeError(s.error)}` : ''}` : 'it completed');
      if (e.minPages !== undefined && s.pages < e.minPages) problems.push(`${s.pages} page(s)`);
      if (e.minRetries !== undefined && s.retries < e.minRetries) problems.push(`${s.retries} retr${s.retries === 1 ? 'y' : 'ies'}`);
      if (e.groups !== undefined && s.groups !== e.groups) problems.push(`${s.groups} group(s)`);
      const summary = `sync ${s.ok ? 'completed' : 'failed'}: ${s.groups} group(s), ${s.pages} page(s), ${s.retries} retr${s.retries === 1 ? 'y' : 'ies'}, ${s.requests} Graph request(s)`;
      return { ok: problems.length === 0, expected: label, actual: problems.length ? `${problems.join('; ')} — ${summary}` : summary };
    },
    () => (e.minPages !== undefined ? expectGroupSync({ ...e, minPages: e.minPages + 10_000 }) : expectGroupSync({ ...e, ok: !ok })),
    bridgeOnly("reads the bridge's group sync record"),
  );
}

/** The bridge's "Verify" succeeded (and lists these scopes). */
export function expectBridgeVerified(e: { scopes?: string[] } = {}): Expectation {
  const label = `the bridge verified its discovery endpoint${e.scopes ? `, scopes including ${e.scopes.join(' ')}` : ''}`;
  return expectation(
    'expectBridgeVerified',
    label,
    async (run) => {
      const v = run.startedBridge?.status().verified;
      if (!v) return { ok: false, expected: label, actual: 'the bridge never verified' };
      if (!v.ok) return { ok: false, expected: label, actual: `verification failed: ${describeBridgeError(v.error)}` };
      const missing = (e.scopes ?? []).filter((s) => !v.scopesSupported.includes(s));
      return {
        ok: missing.length === 0,
        expected: label,
        actual: `${missing.length ? `missing ${missing.join(' ')}; ` : ''}issuer ${v.issuer}, scopes ${v.scopesSupported.join(' ')}`,
      };
    },
    () => expectBridgeVerified({ scopes: [...(e.scopes ?? []), 'no.such.scope'] }),
    bridgeOnly('reads the result of the bridge\'s "Verify" button'),
  );
}

/**
 * The rules that let a relying party skip a check, for expectRpRejects' `skippable` — cited once,
 * so every scenario names the same rule in the same words.
 */
export const SKIPPABLE = {
  /**
   * https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (6). The OIDF RP
   * tests mark their signature modules (invalid-sig-rs256, -hs256, sig-none, kid-absent…)
   * skippable for the code flow for this reason.
   */
  idTokenSignature:
    'OIDC Core 3.1.3.7 (6): an ID token received directly from the token endpoint (the code flow) may be trusted on TLS server validation in place of checking its signature',
} as const;

export interface RpRejectsOptions {
  /** The bridge's phase that refused (default `id_token`). */
  phase?: BridgePhase;
  /** The bridge's error: its code or a part of its message, or a RegExp on both. */
  error?: string | RegExp;
  /**
   * The rule that lets a relying party skip this check, e.g. OIDC Core 3.1.3.7 (6): "an ID token
   * received directly from the token endpoint over TLS may be trusted without checking its
   * signature". A target (conformance mode) that accepts then gets "pass (skippable check not
   * performed: <rule>)" instead of "fail". The bridge validates everything: for it nothing changes.
   */
  skippable?: string;
}

/**
 * The relying party (the bridge) refused what Entra sent: its own validation failed, so nobody
 * was provisioned — e.g. an ID token that openid-client rejects. Against a target: it did not
 * reach its signed-in state, without a 5xx, a loop, a crash or a follow-up call (conform/judge.ts).
 *
 * @example expectRpRejects({ phase: 'id_token', error: /exp|expired/i })
 */
export function expectRpRejects(e: RpRejectsOptions = {}): Expectation {
  const phase = e.phase ?? 'id_token';
  const label = `the bridge rejects the sign-in in phase ${phase}${e.error ? ` with ${String(e.error)}` : ''}, provisioning nobody`;
  return expectation(
    'expectRpRejects',
    label,
    async (run) => {
      if (run.rp) return judgeRefused(run, `${run.rp.name} refuses the sign-in`, e.skippable);
      const status = run.startedBridge?.status();
      if (!status) return { ok: false, expected: label, actual: 'the bridge was never started' };
      const matches = (x: BridgeError) =>
        x.phase === phase &&
        (e.error === undefined ||
          (typeof e.error === 'string' ? x.error === e.error || x.description.includes(e.error) : e.error.test(`${x.error} ${x.description}`)));
      const hit = status.errors.find(matches);
      const problems: string[] = [];
      if (!hit) problems.push(status.errors.length ? `bridge errors: ${status.errors.map(describeBridgeError).join('; ')}` : 'the bridge reports no error');
      if (status.users.length) problems.push(`provisioned: ${status.users.map(showUser).join(' | ')}`);
      return { ok: problems.length === 0, expected: label, actual: problems.length ? problems.join('; ') : `rejected: ${describeBridgeError(hit!)}` };
    },
    () => expectRpRejects({ ...e, phase: phase === 'id_token' ? 'provisioning' : 'id_token' }),
    { ...JUDGED_ON_SIGN_IN, ...(e.skippable ? { skippable: e.skippable } : {}) },
  );
}

export interface RpAcceptsOptions {
  /** Whose sign-in the relying party accepts: a UPN (default tenant's domain mapped) or object id. */
  user: string;
  /**
   * Why a correct relying party may (or must) accept the broken response, citing the rule, e.g.
   * `'OIDC Core 3.1.3.7 (6): an ID token received from the token endpoint over TLS may be trusted without its signature'`.
   */
  because: string;
  /**
   * `true` (default): the specification lets a relying party skip this check (the OIDF suite calls
   * such a module "skippable") and this library does skip it — the verdict says so instead of
   * hiding it. `false`: a correct relying party must accept (e.g. a token without `kid` when the
   * JWKS holds one key).
   */
  skippable?: boolean;
}

/**
 * The relying party (the bridge) accepted a response broken on purpose: it provisioned the user
 * and recorded no ID token (or discovery) error. For a skippable check the verdict reads
 * "pass (skippable check not performed by this library)", so a report never passes such a
 * scenario silently; its mutation expects a rejection instead (accept ↔ reject).
 *
 * @example expectRpAccepts({ user: 'AdeleV@contoso.onmicrosoft.com', because: 'the access-tokens doc: tid is checked by multi-tenant apps only' })
 */
export function expectRpAccepts(o: RpAcceptsOptions): Expectation {
  const skippable = o.skippable ?? true;
  const verdict = skippable ? 'pass (skippable check not performed by this library)' : 'pass (a correct relying party must accept this)';
  const label = `the bridge accepts the sign-in of ${o.user} — ${skippable ? 'a skippable check' : 'a required acceptance'}: ${o.because}`;
  return expectation(
    'expectRpAccepts',
    label,
    async (run) => {
      const expected = run.localize(label);
      if (run.rp) return judgeAccepted(run, `${run.rp.name} accepts the sign-in — ${o.because}`, { skippable, because: o.because, verdict });
      const status = run.startedBridge?.status();
      if (!status) return { ok: false, expected, actual: 'the bridge was never started' };
      const fixtureUser = await run.user(o.user).catch(() => undefined);
      const u = findBridgeUser(status.users, fixtureUser?.id ?? run.localize(o.user), fixtureUser?.userPrincipalName ?? run.localize(o.user));
      // A rejection the bridge recorded while validating what Entra sent (not, say, a later group sync).
      const refusals = status.errors.filter((e) => e.phase === 'id_token' || e.phase === 'verify');
      const problems: string[] = [];
      if (!u) problems.push(`not provisioned${lastBridgeError(run)}`);
      if (refusals.length) problems.push(`the bridge refused: ${refusals.map(describeBridgeError).join('; ')}`);
      return {
        ok: problems.length === 0,
        expected,
        actual: problems.length ? problems.join('; ') : `${verdict}: provisioned ${showUser(u!)}`,
      };
    },
    () => expectRpRejects({ phase: 'id_token' }),
    JUDGED_ON_SIGN_IN,
  );
}

// ───────────────────────────── tokens ─────────────────────────────

export interface ClaimsOptions {
  /** Claims that must not be there, e.g. `['roles']`. */
  absent?: string[];
  /** Which token: the last app-only token (`clientCredentials`) or the SPA's ID token (`spaLogin`). Default: the last token of any kind. */
  from?: 'clientCredentials' | 'spaLogin';
}

/**
 * The last token's claims include these values (strings with the default tenant's id/domain
 * are mapped; a RegExp matches a string claim; arrays compare as sets).
 *
 * @example expectClaims({ aud: CONTOSO.openMetadataUi.apiUri, idtyp: 'app', ver: '1.0' }, { absent: ['roles'] })
 */
export function expectClaims(claims: Record<string, unknown>, o: ClaimsOptions = {}): Expectation {
  const label = `the ${o.from ?? 'last'} token carries ${Object.entries(claims)
    .map(([k, v]) => `${k}=${j(v)}`)
    .join(', ')}${o.absent?.length ? `${Object.keys(claims).length ? ' and ' : ''}no ${o.absent.join(', ')}` : ''}`;
  return expectation(
    'expectClaims',
    label,
    async (run) => {
      const tokens = run.tokenOutcomes.filter((t) => !o.from || t.kind === o.from);
      const last = tokens.at(-1);
      const expected = run.localize(label);
      if (!last) return { ok: false, expected, actual: 'no token was requested' };
      if (!last.ok || !last.claims)
        return {
          ok: false,
          expected,
          actual: `no token: ${last.error ? `${last.error.error}${last.error.aadsts ? ` AADSTS${last.error.aadsts}` : ''} — ${last.error.description.split(/\r?\n/)[0]}` : 'unknown error'}`,
        };
      const want = run.localize(claims);
      const got = last.claims;
      const wrong: string[] = [];
      for (const [k, v] of Object.entries(want)) {
        const actual = got[k];
        const ok =
          v instanceof RegExp
            ? typeof actual === 'string' && v.test(actual)
            : Array.isArray(v) && Array.isArray(actual)
              ? j([...v].map(String).sort()) === j([...actual].map(String).sort())
              : j(v) === j(actual);
        if (!ok) wrong.push(`${k}: expected ${j(v)}, got ${actual === undefined ? '(absent)' : j(actual)}`);
      }
      for (const k of o.absent ?? []) if (k in got) wrong.push(`${k}: expected absent, got ${j(got[k])}`);
      const shown = Object.entries(got)
        .filter(([k]) => k in want || (o.absent ?? []).includes(k) || ['aud', 'iss', 'ver', 'idtyp', 'roles', 'scp', 'tid'].includes(k))
        .map(([k, v]) => `${k}=${j(v)}`)
        .join(', ');
      return { ok: wrong.length === 0, expected, actual: wrong.length ? `${wrong.join('; ')} — token: ${shown}` : shown };
    },
    () => {
      const first = Object.entries(claims)[0];
      if (first) {
        const [k, v] = first;
        const changed =
          typeof v === 'string'
            ? `${v}-changed`
            : typeof v === 'number'
              ? v + 1
              : Array.isArray(v)
                ? [...v, 'changed']
                : v instanceof RegExp
                  ? /^changed$/
                  : 'changed';
        return expectClaims({ ...claims, [k]: changed }, o);
      }
      const absent = o.absent?.[0];
      return expectClaims(absent ? { [absent]: 'present' } : { aud: 'changed' }, { ...o, absent: o.absent?.slice(1) ?? [] });
    },
    bridgeOnly("reads a token of the harness's own clients"),
  );
}

// ───────────────────────────── the mock's request log ─────────────────────────────

export interface RequestsExpectation {
  /** The mock's endpoint id (e.g. `token`, `authorize`, `graph.groups`): exact text or a RegExp. */
  endpoint?: string | RegExp;
  /** HTTP status answered. */
  status?: number;
  /** AADSTS code answered. */
  aadsts?: number;
  /** At least this many such requests (default 1). */
  atLeast?: number;
  /** Exactly this many (overrides atLeast). */
  count?: number;
  /**
   * Against a target (conformance mode): the rule that lets a relying party behave otherwise, e.g.
   * SKIPPABLE.idTokenSignature for JWKS fetches — a code-flow RP that trusts TLS in place of the
   * signature never fetches keys. A count that does not hold then reads "skippable check not
   * performed" instead of failing. Against the bridge nothing changes.
   */
  skippable?: string;
}

/**
 * The mock's own record of the tenant's traffic (test-control API request log) shows such
 * requests — e.g. that Graph really throttled: `expectRequests({ endpoint: /^graph/, status: 429, atLeast: 2 })`.
 */
export function expectRequests(e: RequestsExpectation): Expectation {
  const what =
    [
      e.endpoint !== undefined ? `endpoint ${String(e.endpoint)}` : '',
      e.status !== undefined ? `status ${e.status}` : '',
      e.aadsts !== undefined ? `AADSTS${e.aadsts}` : '',
    ]
      .filter(Boolean)
      .join(', ') || 'any';
  const label = `the mock's log has ${e.count !== undefined ? `exactly ${e.count}` : `at least ${e.atLeast ?? 1}`} request(s) with ${what}`;
  return expectation(
    'expectRequests',
    label,
    async (run) => {
      const log = await run.requests();
      const hits = log.filter(
        (x) =>
          (e.endpoint === undefined || (typeof e.endpoint === 'string' ? x.endpoint === e.endpoint : e.endpoint.test(x.endpoint))) &&
          (e.status === undefined || x.status === e.status) &&
          (e.aadsts === undefined || x.aadsts === e.aadsts),
      );
      const ok = e.count !== undefined ? hits.length === e.count : hits.length >= (e.atLeast ?? 1);
      const byEndpoint = new Map<string, number>();
      for (const x of log) byEndpoint.set(`${x.endpoint} ${x.status}`, (byEndpoint.get(`${x.endpoint} ${x.status}`) ?? 0) + 1);
      const actual = `${hits.length} matching of ${log.length} — ${[...byEndpoint].map(([k, n]) => `${k} ×${n}`).join(', ') || 'empty log'}`;
      if (!ok && run.rp && e.skippable) return { ok: true, expected: label, actual, skipped: e.skippable };
      return { ok, expected: label, actual };
    },
    () => expectRequests({ ...e, count: 1_000_000 }),
    { needs: [] },
  );
}
