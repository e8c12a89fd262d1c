import type { GenerateSpec, PatchOperation, TenantFixture } from '../../mock-idp/src/index.js';
import type { ScenarioRun } from './run-context.js';

/**
 * A scenario: a tenant state, the steps a person (or a service) takes, and the outcome Entra and
 * the relying party must produce. One small declarative file per scenario under
 * `scenarios/<flow>/<id>.scenario.ts`; the file name is its id.
 *
 * Scenario files state *what*, never *how*: they use the step and expectation builders of
 * `mock-entra/harness` and the default tenant's well-known ids (`CONTOSO`). The engine gives each
 * run a tenant of its own — a copy of the base fixture under a fresh GUID and domain — and maps
 * the default tenant's id and domain (`contoso.onmicrosoft.com`) in steps and expectations onto
 * it, so a scenario reads like the README's tables.
 */

/** What `generate:` adds to a tenant (the fixture format's GenerateSpec: seed, users, groups, nesting, overage users…). */
export type { GenerateSpec };

export interface TenantSpec {
  /** The fixture the scenario's tenant starts from: the shipped default tenant, or a tenant fixture of your own. */
  base?: 'contoso' | TenantFixture;
  /** JSON Patch (RFC 6902) applied through the test-control API after the tenant is created. */
  patch?: PatchOperation[];
  /** Changes the copy before it is created (runs on a private copy; ids and domain already mapped). */
  mutate?: (fixture: TenantFixture) => void;
  /** Generated users and groups appended to the tenant (the mock generates them: `generate:` of a fixture). */
  generate?: GenerateSpec;
}

/** What a target (your relying party) can be asked to do, as its target file declares it. */
export type TargetCapability =
  | 'signIn'
  | 'api'
  | 'groupSync'
  | 'logout'
  /** The target's registration has Web redirect URIs (a server-side app redeeming codes with a secret), read from its `app`. */
  | 'webRedirectUris';

/**
 * What a step or an expectation needs when the scenario runs against a target instead of the
 * bridge (conformance mode). Absent means "the bridge only": a step nobody declared for targets
 * (e.g. a new bridge-specific one) is never applied to a target by mistake — its scenario's
 * verdict is then "not applicable" with `reason`.
 */
export interface ConformNeeds {
  /** The target's capabilities it uses; `bridgeOnly`: it only makes sense with the reference bridge. */
  needs?: ReadonlyArray<TargetCapability | 'bridgeOnly'>;
  /** Why it is bridge-only, in words (shown in the "not applicable" verdict). */
  reason?: string;
  /**
   * Set when the outcome depends on the relying party not having cached discovery or keys (a
   * broken discovery document or JWKS, a key rotation): why, in words. Managed targets are fresh
   * anyway; an attached one runs it only after its restart hook.
   */
  freshRp?: string;
  /** expectRpRejects: the rule that lets a relying party skip the check (its sibling expectations judge the same sign-in by it). */
  skippable?: string;
}

/** One action of a scenario. Built by the step functions (`browserLogin()`, `groupSync()`…). */
export interface Step {
  /** The builder's name, e.g. `browserLogin`. */
  readonly kind: string;
  /** What it does, in words, e.g. `AdeleV@contoso.onmicrosoft.com signs in to the bridge in Chromium`. */
  readonly label: string;
  /** What it needs from a target in conformance mode (absent: the bridge only). */
  readonly conform?: ConformNeeds;
  /** Runs the step; returns what happened, in words. Throws only when the step could not be carried out. */
  run(run: ScenarioRun): Promise<string>;
}

/** The verdict of one expectation. */
export interface CheckResult {
  ok: boolean;
  /** The expected outcome, in words and values. */
  expected: string;
  /** What was observed, in words and values. */
  actual: string;
  /**
   * Against a target: the check held only because the specification lets a relying party skip
   * it and this one did (the rule, in words) — the verdict reads "pass (skippable check not
   * performed: …)" instead of a plain pass.
   */
  skipped?: string;
}

/** One expected outcome. Built by the expectation functions (`expectAadsts()`, `expectBridgeUser()`…). */
export interface Expectation {
  readonly kind: string;
  readonly label: string;
  /** What it needs from a target in conformance mode (absent: the bridge only). */
  readonly conform?: ConformNeeds;
  check(run: ScenarioRun): Promise<CheckResult>;
  /**
   * The same expectation with a different expected outcome (another code, another value, one
   * group more…). The harness's own test runs every scenario with each of its expectations
   * mutated and requires the run to fail: proof that the expectation is really checked.
   */
  mutated(): Expectation;
}

export interface ScenarioDefinition {
  /** One line: what happens. */
  title: string;
  /** The seed step or real-world case it reproduces, e.g. `PingOne "Connect to Azure" steps 14–15`. */
  reproduces: string;
  /** The tenant (default: a copy of the default tenant). */
  tenant?: TenantSpec;
  steps: Step[];
  /** The expected outcome: every expectation must hold after the steps. */
  expect: Expectation | Expectation[];
  /** Per-scenario time limit in ms (default 60 000). */
  timeoutMs?: number;
  /**
   * Run against a mock in impersonation mode, under Microsoft's own names
   * (`https://login.microsoftonline.com/…`, `https://login.microsoftonline.us/…`): the bridge and
   * Chromium reach them at the mock. Not applicable when attached to a running mock (`--idp-url`)
   * or against a conformance target. Default false.
   */
  impersonation?: boolean;
}

export interface Scenario {
  readonly title: string;
  readonly reproduces: string;
  readonly tenant: TenantSpec;
  readonly steps: readonly Step[];
  readonly expect: readonly Expectation[];
  readonly timeoutMs: number;
  /** See {@link ScenarioDefinition.impersonation}. */
  readonly impersonation?: boolean;
}

/** A scenario with the id and flow its file gives it. */
export interface LoadedScenario extends Scenario {
  /** The file name without `.scenario.ts`. */
  readonly id: string;
  /** The folder under `scenarios/`. */
  readonly flow: string;
  /** Absolute path of the file. */
  readonly file: string;
}

/**
 * Declares a scenario. A scenario file's default export.
 *
 * @example
 * // scenarios/errors/expired-secret.scenario.ts
 * import { defineScenario, configureBridge, browserLogin, groupSync, expectAadsts, CONTOSO } from 'mock-entra/harness';
 * export default defineScenario({
 *   title: "The bridge's only valid secret has expired",
 *   reproduces: 'PingOne "Connect to Azure" step 5: "You\'ll need to update the client secret when it expires"',
 *   steps: [configureBridge({ clientSecret: CONTOSO.bridge.expiredSecret }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }), groupSync()],
 *   expect: [expectAadsts(7000222, { surface: 'bridge', phase: 'token' }), expectAadsts(7000222, { surface: 'bridge', phase: 'group-sync' })],
 * });
 */
export function defineScenario(definition: ScenarioDefinition): Scenario {
  const problems: string[] = [];
  if (typeof definition.title !== 'string' || definition.title.trim() === '') problems.push('title: a one-line description is required');
  if (typeof definition.reproduces !== 'string' || definition.reproduces.trim() === '') problems.push('reproduces: name the seed step or real case');
  if (!Array.isArray(definition.steps) || definition.steps.length === 0) problems.push('steps: at least one step is required');
  const expect = Array.isArray(definition.expect) ? definition.expect : definition.expect ? [definition.expect] : [];
  if (expect.length === 0) problems.push('expect: at least one expectation is required');
  definition.steps?.forEach((s, i) => {
    if (!s || typeof s.run !== 'function') problems.push(`steps[${i}]: not a step (use the step functions of mock-entra/harness)`);
  });
  expect.forEach((e, i) => {
    if (!e || typeof e.check !== 'function') problems.push(`expect[${i}]: not an expectation (use the expect… functions of mock-entra/harness)`);
  });
  if (problems.length > 0) throw new TypeError(`defineScenario: ${problems.join('; ')}`);
  return Object.freeze({
    title: definition.title,
    reproduces: definition.reproduces,
    tenant: definition.tenant ?? { base: 'contoso' as const },
    steps: Object.freeze([...definition.steps]),
    expect: Object.freeze([...expect]),
    timeoutMs: definition.timeoutMs ?? 60_000,
    impersonation: definition.impersonation === true,
  });
}

/** The scenario with expectation `index` replaced by its mutation (see {@link Expectation.mutated}). */
export function withMutatedExpectation<S extends Scenario>(scenario: S, index: number): S {
  const target = scenario.expect[index];
  if (!target) throw new RangeError(`no expectation ${index}`);
  return { ...scenario, expect: scenario.expect.map((e, i) => (i === index ? target.mutated() : e)) };
}
