import type { MockContext } from '../../context.js';
import type { Application, TenantFixture } from '../../directory/model.js';
import { newSigningKey } from '../../keys/signing-keys.js';
import type { MutationSpec } from '../../runtime/mutations.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { applyPatch, type PatchOperation } from '../../support/json-patch.js';
import { keysFor, mutationSpecIssues } from '../../tokens/mutations.js';

/**
 * The console's one-click misconfigurations. Each is the change a catalog scenario makes
 * (scenarios/<flow>/<id>.scenario.ts, named by its id), applied to the app the user picks
 * rather than to the fixture index the scenario names — so a support engineer can put a
 * customer's mistake into any tenant and watch the app fail as it did. Each returns how to undo
 * it; the console keeps that per tenant (applied-switches.ts).
 */

/** What the user picked in the switch's form. */
export interface SwitchInput {
  appId?: string | undefined;
  /** A redirect URI, a number of seconds, a mutation's scenario id: the switch says which. */
  value?: string | undefined;
}

/** How to take a switch back; throws a {@link SwitchError} when the tenant no longer allows it. */
export type Undo = () => Promise<void> | void;

export interface SwitchOutcome {
  /** One line for the request log and the applied list: what changed, where. */
  summary: string;
  undo: Undo;
}

export interface Misconfiguration {
  /** The catalog scenario whose change this is (`<flow>/<id>`). */
  scenario: string;
  label: string;
  /** What the next sign-in (or sync) shows afterwards. */
  effect: string;
  /** Which input the form asks for besides the app. */
  input?: { label: string; kind: 'redirect-uri' | 'seconds' | 'mutation'; default?: string };
  needsApp: boolean;
  apply(ctx: MockContext, t: TenantRuntime, input: SwitchInput): Promise<SwitchOutcome>;
}

/** A switch the tenant cannot take (no such app, an invalid value): a 400 with this message. */
export class SwitchError extends Error {
  override readonly name = 'SwitchError';
}

/** The token mutations a catalog scenario queues (scenarios/rp-negatives: its mutateNext step). */
export const MUTATION_SCENARIOS: Readonly<Record<string, MutationSpec>> = {
  'rp-negatives/invalid-aud': { target: 'id_token', kind: 'aud-near-miss' },
  'rp-negatives/invalid-iss': { target: 'id_token', kind: 'iss-near-miss' },
  'rp-negatives/invalid-nonce': { target: 'id_token', kind: 'nonce-near-miss' },
  'rp-negatives/expired-id-token': { target: 'id_token', kind: 'exp-past', seconds: 900 },
  'rp-negatives/nbf-future': { target: 'id_token', kind: 'nbf-future', seconds: 3600 },
  'rp-negatives/iat-week-old': { target: 'id_token', kind: 'iat-week-old' },
  'rp-negatives/idtoken-sig-none': { target: 'id_token', kind: 'alg-none' },
  'rp-negatives/invalid-sig-hs256': { target: 'id_token', kind: 'alg-hs256' },
  'rp-negatives/invalid-sig-rs256': { target: 'id_token', kind: 'sig-xor' },
  'rp-negatives/iss-other-tenant': { target: 'id_token', kind: 'iss-other-tenant' },
  'rp-negatives/tid-other-tenant': { target: 'id_token', kind: 'tid-other-tenant' },
  'rp-negatives/missing-aud': { target: 'id_token', kind: 'aud-removed' },
  'rp-negatives/missing-iss': { target: 'id_token', kind: 'iss-removed' },
  'rp-negatives/missing-sub': { target: 'id_token', kind: 'sub-removed' },
  'rp-negatives/missing-nonce': { target: 'id_token', kind: 'nonce-removed' },
  'rp-negatives/kid-absent-single-jwks': { target: 'id_token', kind: 'kid-absent' },
  'rp-negatives/discovery-issuer-mismatch': { target: 'discovery', kind: 'issuer-near-miss' },
};

/**
 * A fixture change by JSON Patch, undone by the inverse patch computed from the values it
 * replaced. Users and groups stay out of the copy (a 100,000-user tenant would be cloned
 * twice per click), and no switch touches them.
 */
function patchTenant(t: TenantRuntime, ctx: MockContext, ops: PatchOperation[], summary: string): SwitchOutcome {
  const before = t.directory.fixture;
  const inverse = inverseOf(before, ops);
  replaceApps(ctx, t, ops);
  return {
    summary,
    undo: () => {
      try {
        replaceApps(ctx, t, inverse);
      } catch {
        throw new SwitchError('The tenant changed since this switch was applied, so it cannot be taken back alone: reset the tenant instead.');
      }
    },
  };
}

function replaceApps(ctx: MockContext, t: TenantRuntime, ops: PatchOperation[]): void {
  const { users, groups, ...rest } = t.directory.fixture;
  const patched: TenantFixture = applyPatch(rest, ops);
  t.replaceFixture({ ...patched, ...(users ? { users } : {}), ...(groups ? { groups } : {}) });
  ctx.tenants.reindex(t);
}

/** The patch that restores what `ops` replace, add or remove (read from `doc` before they apply), in reverse order. */
function inverseOf(doc: TenantFixture, ops: readonly PatchOperation[]): PatchOperation[] {
  const inverse: PatchOperation[] = [];
  for (const op of ops) {
    const old = valueAt(doc, op.path);
    if (op.op === 'replace') inverse.unshift(old === undefined ? { op: 'remove', path: op.path } : { op: 'replace', path: op.path, value: old });
    else if (op.op === 'remove') inverse.unshift({ op: 'add', path: op.path, value: old });
    else if (op.op === 'add') inverse.unshift(old === undefined ? { op: 'remove', path: op.path } : { op: 'replace', path: op.path, value: old });
  }
  return inverse;
}

function valueAt(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const key of path.slice(1).split('/')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v === undefined ? undefined : structuredClone(v);
}

function appIndex(t: TenantRuntime, input: SwitchInput): { index: number; app: Application } {
  const apps = t.directory.fixture.applications ?? [];
  if (input.appId === undefined) throw new SwitchError(apps.length === 0 ? `Tenant ${t.id} has no application to change.` : 'Pick the application to change.');
  const index = apps.findIndex((a) => a.appId.toLowerCase() === (input.appId ?? '').toLowerCase());
  const app = apps[index];
  if (app === undefined) throw new SwitchError(`No application ${String(input.appId).slice(0, 100)} in tenant ${t.id}: pick one of the tenant's applications.`);
  return { index, app };
}

const seconds = (input: SwitchInput, fallback: number): number => {
  const n = input.value === undefined || input.value === '' ? fallback : Number(input.value);
  if (!Number.isFinite(n) || Math.abs(n) > 100 * 365 * 86_400) throw new SwitchError('Give a number of seconds (at most a century either way).');
  return n;
};

export const MISCONFIGURATIONS: readonly Misconfiguration[] = [
  {
    scenario: 'secrets/expired-secret',
    label: 'Expire the client secret',
    effect: 'code redemption and client credentials fail with AADSTS7000222',
    needsApp: true,
    apply: async (ctx, t, input) => {
      const { index, app } = appIndex(t, input);
      if ((app.passwordCredentials ?? []).length === 0) throw new SwitchError(`${app.displayName} has no client secret to expire.`);
      // The scenario's date, or a day before the tenant's clock if that is earlier (a clock moved back).
      const ended = new Date(Math.min(Date.parse('2025-06-30T23:59:59Z'), t.now() - 86_400_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return patchTenant(
        t,
        ctx,
        [{ op: 'replace', path: `/applications/${index}/passwordCredentials/0/endDateTime`, value: ended }],
        `${app.displayName}: its first client secret expired ${ended}`,
      );
    },
  },
  {
    scenario: 'sso/redirect-uri-mismatch',
    label: 'Change the Web redirect URIs',
    effect: "sign-in stops on Microsoft's error page with AADSTS50011 (never redirected)",
    needsApp: true,
    input: { label: 'Redirect URI to register instead', kind: 'redirect-uri' },
    apply: async (ctx, t, input) => {
      const { index, app } = appIndex(t, input);
      const current = app.web?.redirectUris?.[0];
      // The scenario's mistake by default: the last path segment (the verification code) left out.
      const uri = input.value ? input.value : current ? current.replace(/\/[^/]*$/, '') : undefined;
      if (uri === undefined) throw new SwitchError(`${app.displayName} has no Web redirect URI to change: type the one to register.`);
      if (!isAbsoluteUri(uri)) throw new SwitchError(`${uri.slice(0, 200)} is not an absolute URI.`);
      return patchTenant(t, ctx, webRedirects(app, index, [uri]), `${app.displayName}: Web redirect URIs are now [${uri}]`);
    },
  },
  {
    scenario: 'seed-pingone/no-redirect-uri',
    label: 'Remove the Web redirect URIs',
    effect: "sign-in stops on Microsoft's error page with AADSTS500113 (no reply address)",
    needsApp: true,
    apply: async (ctx, t, input) => {
      const { index, app } = appIndex(t, input);
      return patchTenant(t, ctx, webRedirects(app, index, []), `${app.displayName}: no Web redirect URI`);
    },
  },
  {
    scenario: 'seed-openmetadata/implicit-checkboxes-unchecked',
    label: 'Switch implicit ID tokens (and access tokens) off',
    effect: 'response_type id_token (implicit or hybrid) fails with AADSTS700054; code + PKCE still works',
    needsApp: true,
    apply: async (ctx, t, input) => {
      const { index, app } = appIndex(t, input);
      const ops: PatchOperation[] = app.web
        ? [
            {
              op: 'replace',
              path: `/applications/${index}/web/implicitGrantSettings`,
              value: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false },
            },
          ]
        : [
            {
              op: 'add',
              path: `/applications/${index}/web`,
              value: { implicitGrantSettings: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false } },
            },
          ];
      return patchTenant(t, ctx, ops, `${app.displayName}: implicit ID and access tokens off`);
    },
  },
  {
    scenario: 'sso/groups-claim-missing',
    label: 'Clear groupMembershipClaims',
    effect: 'tokens carry no groups claim (the app provisions users without groups)',
    needsApp: true,
    apply: async (ctx, t, input) => {
      const { index, app } = appIndex(t, input);
      return patchTenant(
        t,
        ctx,
        [{ op: 'replace', path: `/applications/${index}/groupMembershipClaims`, value: null }],
        `${app.displayName}: groupMembershipClaims null`,
      );
    },
  },
  {
    scenario: 'group-sync/group-sync-without-admin-consent',
    label: 'Withdraw admin consent (application permissions)',
    effect: "the app's own Graph calls (client credentials) fail with 403 Authorization_RequestDenied",
    needsApp: true,
    apply: async (ctx, t, input) => {
      const { app } = appIndex(t, input);
      const spId = t.directory.servicePrincipals.get(app.appId.toLowerCase())?.id.toLowerCase();
      const mine = (principal: string) => principal.toLowerCase() === app.appId.toLowerCase() || principal.toLowerCase() === spId;
      const assignments = t.directory.fixture.appRoleAssignments ?? [];
      // Removed from the last, so each index is still right when its turn comes.
      const ops: PatchOperation[] = assignments
        .map((a, i) => ({ a, i }))
        .filter(({ a }) => a.principalType === 'ServicePrincipal' && mine(a.principalId))
        .reverse()
        .map(({ i }) => ({ op: 'remove', path: `/appRoleAssignments/${i}` }));
      if (ops.length === 0) throw new SwitchError(`${app.displayName} holds no admin-consented application permission.`);
      return patchTenant(t, ctx, ops, `${app.displayName}: ${ops.length} application permission(s) withdrawn`);
    },
  },
  {
    scenario: 'real-world/user-not-assigned',
    label: 'Require assignment',
    effect: 'a user not assigned to the app is sent back with AADSTS50105',
    needsApp: true,
    apply: async (ctx, t, input) => {
      const { app } = appIndex(t, input);
      const hadList = t.directory.fixture.servicePrincipals !== undefined;
      const sps = t.directory.fixture.servicePrincipals ?? [];
      const i = sps.findIndex((s) => s.appId.toLowerCase() === app.appId.toLowerCase());
      const ops: PatchOperation[] =
        i >= 0
          ? [{ op: 'add', path: `/servicePrincipals/${i}/appRoleAssignmentRequired`, value: true }]
          : hadList
            ? [{ op: 'add', path: '/servicePrincipals/-', value: { appId: app.appId, appRoleAssignmentRequired: true } }]
            : [{ op: 'add', path: '/servicePrincipals', value: [{ appId: app.appId, appRoleAssignmentRequired: true }] }];
      const outcome = patchTenant(t, ctx, ops, `${app.displayName}: assignment required`);
      // The inverse of an append names `/-`; take the new element back by its index instead.
      if (i < 0 && hadList) {
        const at = sps.length;
        return { ...outcome, undo: () => undoOrExplain(() => replaceApps(ctx, t, [{ op: 'remove', path: `/servicePrincipals/${at}` }])) };
      }
      return outcome;
    },
  },
  {
    scenario: 'rp-negatives/signing-key-rotation',
    label: 'Rotate the signing keys',
    effect: 'tokens are signed with a new kid; an app that caches the JWKS and never fetches it again fails',
    needsApp: false,
    apply: async (ctx, t) => {
      const keys = [...t.keys];
      const until = keys.map((k) => k.publishedUntil);
      const machineUntil = t.machineKeyPublishedUntil;
      const key = await newSigningKey();
      const previous = t.activeKey(ctx.machineKey).kid;
      t.rotate(key, 86_400_000);
      return {
        summary: `keys rotated: ${key.kid} signs, ${previous} published one more day`,
        undo: () => {
          t.keys = keys;
          keys.forEach((k, i) => (k.publishedUntil = until[i]!));
          t.machineKeyPublishedUntil = machineUntil;
          t.cache.clear();
        },
      };
    },
  },
  {
    scenario: 'real-world/clock-ahead',
    label: "Move the tenant's clock",
    effect: 'tokens are issued in the app’s future (ahead) or already expired (behind): it rejects them',
    needsApp: false,
    input: { label: 'Seconds (negative goes back)', kind: 'seconds', default: '7200' },
    apply: async (_ctx, t, input) => {
      const s = seconds(input, 7200);
      t.clock.advance(s * 1000);
      t.cache.clear();
      return {
        summary: `clock moved ${s >= 0 ? '+' : ''}${s} s: now ${new Date(t.now()).toISOString()}`,
        undo: () => {
          t.clock.advance(-s * 1000);
          t.cache.clear();
        },
      };
    },
  },
  {
    scenario: 'group-sync/graph-throttled',
    label: 'Throttle Microsoft Graph (429)',
    effect: 'the next two /v1.0/groups calls answer 429 with Retry-After: 1',
    needsApp: false,
    apply: async (_ctx, t) => {
      const fault = t.faults.add({ status: 429, retryAfterSeconds: 1, count: 2, path: '/v1.0/groups*' });
      return { summary: `Graph fault ${fault.id}: 429 ×2 on /v1.0/groups*`, undo: () => void t.faults.remove(fault.id) };
    },
  },
  {
    scenario: 'ingestion/token-endpoint-unavailable',
    label: 'Make the token endpoint fail (503, AADSTS90033)',
    effect: 'the next client-credentials token request (an ingestion client, a group sync) fails with 503 temporarily_unavailable AADSTS90033',
    needsApp: false,
    apply: async (_ctx, t) => {
      const fault = t.entraFaults.add({ answer: 'temporarily_unavailable', grantType: 'client_credentials', count: 1 });
      return {
        summary: `Entra fault ${fault.id}: the token endpoint answers 503 AADSTS90033 to the next client_credentials request`,
        undo: () => void t.entraFaults.remove(fault.id),
      };
    },
  },
  {
    scenario: 'rp-negatives/*',
    label: 'Apply a token mutation',
    effect: 'the next response of that kind is broken as the scenario says; a correct app rejects it',
    needsApp: false,
    input: { label: 'Scenario', kind: 'mutation', default: 'rp-negatives/invalid-aud' },
    apply: async (ctx, t, input) => {
      const name = input.value ?? 'rp-negatives/invalid-aud';
      const base = MUTATION_SCENARIOS[name];
      if (base === undefined) throw new SwitchError(`No mutation scenario ${name.slice(0, 100)}: pick one of the list.`);
      const spec: MutationSpec = { ...base };
      if (spec.kind === 'iss-other-tenant' || spec.kind === 'tid-other-tenant' || spec.kind === 'jwks-uri-other-tenant') {
        const other = ctx.tenants.all().find((x) => x !== t);
        if (other) spec.tenantId = other.id;
      }
      const issues = mutationSpecIssues(spec);
      if (issues.length > 0) throw new SwitchError(issues.join(' '));
      const m = t.mutations.add(spec, await keysFor(spec));
      return {
        summary: `${name}: the next ${spec.target} ${spec.kind}`,
        undo: () => {
          t.mutations.remove(m.id);
          t.cache.clear();
        },
      };
    },
  },
];

function webRedirects(app: Application, index: number, uris: string[]): PatchOperation[] {
  return app.web
    ? [{ op: app.web.redirectUris ? 'replace' : 'add', path: `/applications/${index}/web/redirectUris`, value: uris }]
    : [{ op: 'add', path: `/applications/${index}/web`, value: { redirectUris: uris } }];
}

function isAbsoluteUri(uri: string): boolean {
  try {
    return new URL(uri).protocol.length > 1 && uri.length <= 256;
  } catch {
    return false;
  }
}

function undoOrExplain(f: () => void): void {
  try {
    f();
  } catch {
    throw new SwitchError('The tenant changed since this switch was applied, so it cannot be taken back alone: reset the tenant instead.');
  }
}
