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
};

function declares(target: TargetDefinition, c: TargetCapability): boolean {
  return c === 'signIn' ? true : target[c] !== undefined;
}

function problem(what: string, kind: string, label: string, c: ConformNeeds | undefined, target: TargetDefinition): string | undefined {
  if (!c) return `${what} ${kind} (${label}) is for the bridge only`;
  if (c.needs?.includes('bridgeOnly')) return `${what} ${kind} ${c.reason ?? 'is for the bridge only'}`;
  const missing = (c.needs ?? []).filter((n): n is TargetCapability => n !== 'bridgeOnly' && !declares(target, n));
  if (missing.length) return `needs ${missing.map((m) => CAPABILITY_WORDS[m]).join(', ')}`;
  return undefined;
}

export function applicability(scenario: Scenario, target: TargetDefinition, mode: TargetMode): Applicability {
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
  const fresh = scenario.steps.find((s) => s.conform?.freshRp)?.conform?.freshRp;
  if (fresh && mode === 'attached' && !target.attached?.restart)
    return { applies: false, needsRestart: true, reason: `needs restart: ${fresh}, and the attached target declares no restart hook` };
  return fresh ? { applies: true, freshRp: fresh } : { applies: true };
}
