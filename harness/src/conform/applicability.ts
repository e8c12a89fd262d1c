import type { ConformNeeds, Scenario, TargetCapability } from '../scenario.js';
import type { TargetMode } from './rp-instance.js';
import type { TargetDefinition } from './target.js';

/**
 * Whether a scenario applies to a target, decided before anything runs: it must sign somebody
 * in to the relying party, and every step and expectation must be one a target can carry out
 * with what its file declares. A scenario that depends on the relying party not having cached
 * discovery or keys needs a fresh one: a managed target always is; an attached one only after
 * its restart hook — without one the verdict is "not applicable (needs restart)", never a guess.
 */

export type Applicability =
  | { applies: true; /** The reason a fresh relying party is needed (attached: restart first). */ freshRp?: string }
  | { applies: false; reason: string; needsRestart?: boolean };

const CAPABILITY_WORDS: Record<TargetCapability, string> = {
  signIn: 'a sign-in',
  api: "the bridge's protected API; the target declares no api",
  groupSync: "the bridge's group sync; the target declares no groupSync",
  logout: "the bridge's logout; the target declares no logout",
  webRedirectUris: "a Web app's redirect URIs, and the target's registration has none (the scenario is about a server-side app)",
};

function declares(target: TargetDefinition, c: TargetCapability): boolean {
  if (c === 'webRedirectUris') return (target.app.web?.redirectUris?.length ?? 0) > 0;
  return c === 'signIn' ? true : target[c] !== undefined;
}

function problem(what: string, kind: string, label: string, c: ConformNeeds | undefined, target: TargetDefinition): string | undefined {
  if (!c) return `${what} ${kind} (${label}) is for the bridge only`;
  if (c.needs?.includes('bridgeOnly')) return `${what} ${kind} ${c.reason ?? 'is for the bridge only'}`;
  const missing = (c.needs ?? []).filter((n): n is TargetCapability => n !== 'bridgeOnly' && !declares(target, n));
  if (missing.length) return `needs ${missing.map((m) => CAPABILITY_WORDS[m]).join(', ')}`;
  return undefined;
}

/** A JSON Pointer's segments (RFC 6901: `~1` is `/`, `~0` is `~`). */
function segments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function has(value: unknown, path: readonly string[]): boolean {
  let at: unknown = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, key)) return false;
    at = (at as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * A tenant patch written for the bridge's registration (`/applications/0/…`) that addresses what
 * the target's registration does not have — e.g. `/applications/0/web/redirectUris` on a
 * single-page app (its redirect URIs are under `spa`): the scenario is about a kind of app the
 * target is not. (Without this the patch is refused and the verdict would be "inconclusive".)
 */
function patchMisfit(scenario: Scenario, target: TargetDefinition): string | undefined {
  for (const op of scenario.tenant.patch ?? []) {
    const [root, index, ...rest] = segments(op.path);
    if (root !== 'applications' || index !== '0' || rest.length === 0) continue;
    const needed = op.op === 'add' ? rest.slice(0, -1) : rest;
    if (!has(target.app, needed))
      return `the scenario changes the app registration's /${rest.join('/')} (${op.op} ${op.path}), and the target's registration has no /${needed.join('/')}`;
  }
  return undefined;
}

export function applicability(scenario: Scenario, target: TargetDefinition, mode: TargetMode): Applicability {
  if (scenario.impersonation)
    return { applies: false, reason: "it runs under Microsoft's own names, on a mock of the harness's own in impersonation mode, with the bridge" };
  if (!scenario.steps.some((s) => s.conform?.needs?.includes('signIn')))
    return { applies: false, reason: `nobody signs in to the relying party (the scenario's steps: ${scenario.steps.map((s) => s.kind).join(', ')})` };
  for (const s of scenario.steps) {
    const p = problem('the step', s.kind, s.label, s.conform, target);
    if (p) return { applies: false, reason: p };
  }
  for (const e of scenario.expect) {
    const p = problem('the expectation', e.kind, e.label, e.conform, target);
    if (p) return { applies: false, reason: p };
  }
  const misfit = patchMisfit(scenario, target);
  if (misfit) return { applies: false, reason: misfit };
  const fresh = scenario.steps.find((s) => s.conform?.freshRp)?.conform?.freshRp;
  if (fresh && mode === 'attached' && !target.attached?.restart)
    return { applies: false, needsRestart: true, reason: `needs restart: ${fresh}, and the attached target declares no restart hook` };
  return fresh ? { applies: true, freshRp: fresh } : { applies: true };
}
