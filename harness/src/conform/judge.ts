import type { RequestLogEntry } from '../../../mock-idp/src/index.js';
import type { ScenarioRun, TargetSignIn } from '../run-context.js';
import type { CheckResult } from '../scenario.js';
import { showIdentity } from './target-journey.js';

/**
 * Judging the relying party under test black-box, as the OIDF suite does for RPs it cannot look
 * into — and stricter. Signed in: the target's `signedIn` checks hold after the journey.
 * Refused: not signed in, AND no 5xx page (unless the target declares a 5xx its refusal), AND no
 * redirect loop (≥ 5 trips to the mock's authorize endpoint in one journey), AND the app's
 * process still runs, AND the app made no follow-up call with what the broken response gave it
 * (no userinfo or Graph request after the mutated response in the tenant's request log).
 */

/** Trips to authorize in one journey that make it a loop. */
export const LOOP_THRESHOLD = 5;

function lastSignIn(run: ScenarioRun): TargetSignIn | undefined {
  return run.targetSignIns.at(-1);
}

function where(t: TargetSignIn): string {
  let shown = t.finalUrl;
  try {
    const u = new URL(t.finalUrl);
    shown = `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    // not a URL (a page that never loaded): shown as it is
  }
  return `${shown} (HTTP ${t.status ?? '?'}${t.title ? `, title "${t.title}"` : ''})`;
}

/** Requests to Graph (userinfo included) after the first response a mutation changed. */
function followUps(log: readonly RequestLogEntry[]): { mutated: RequestLogEntry | undefined; calls: RequestLogEntry[] } {
  const i = log.findIndex((e) => e.mutation !== undefined && e.mutation.length > 0);
  if (i < 0) return { mutated: undefined, calls: [] };
  return { mutated: log[i], calls: log.slice(i + 1).filter((e) => e.endpoint.startsWith('graph')) };
}

const showEntry = (e: RequestLogEntry): string => `${e.method} ${e.url} → ${e.status}`;

/** Why the target did not simply refuse (empty: it refused). */
async function refusalProblems(run: ScenarioRun, t: TargetSignIn): Promise<{ problems: string[]; notes: string[] }> {
  const rp = run.rp!;
  const problems: string[] = [];
  const notes: string[] = [];
  if (t.serverError) {
    const allowed = rp.target.refusal?.serverErrorIsRefusal;
    if (allowed) notes.push(`HTTP ${t.status} counts as its refusal: ${allowed}`);
    else
      problems.push(`answered HTTP ${t.status} — a server error is not a refusal (declare refusal.serverErrorIsRefusal if it is this app's way of refusing)`);
  }
  if (t.authorizeHits >= LOOP_THRESHOLD) problems.push(`a redirect loop: ${t.authorizeHits} trips to the authorize endpoint in one sign-in`);
  const exit = rp.exited();
  if (exit) problems.push(`the app's process ${exit}`);
  const log = await run.requests().catch(() => []);
  const f = followUps(log);
  if (f.calls.length) problems.push(`after the broken response (${showEntry(f.mutated!)}) it went on to call ${f.calls.map(showEntry).join('; ')}`);
  else if (f.mutated) notes.push(`no userinfo or Graph call after the broken response (${showEntry(f.mutated)})`);
  return { problems, notes };
}

/** expectRpRejects / expectNoBridgeUser against a target. `skippable`: the rule that lets an RP accept. */
export async function judgeRefused(run: ScenarioRun, expected: string, skippable: string | undefined): Promise<CheckResult> {
  const t = lastSignIn(run);
  if (!t) return { ok: false, expected, actual: 'nobody signed in to the target (no sign-in step ran)' };
  if (t.signedIn) {
    const actual = `accepted: signed in (${t.evidence.join('; ')}) at ${where(t)}${t.identity ? `; identity ${showIdentity(t.identity)}` : ''}`;
    return skippable ? { ok: true, expected, actual, skipped: skippable } : { ok: false, expected, actual };
  }
  const { problems, notes } = await refusalProblems(run, t);
  if (problems.length) return { ok: false, expected, actual: `not signed in, but ${problems.join('; ')} — ended at ${where(t)}` };
  return {
    ok: true,
    expected,
    actual: `refused: not signed in (${t.evidence.join('; ') || 'no signed-in check held'}), ended at ${where(t)}${t.journeyError ? ` — ${t.journeyError}` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`,
  };
}

/** expectRpAccepts against a target: `skippable` true lets a target that performs the optional check (and refuses) pass too. */
export async function judgeAccepted(run: ScenarioRun, expected: string, o: { skippable: boolean; because: string; verdict: string }): Promise<CheckResult> {
  const t = lastSignIn(run);
  if (!t) return { ok: false, expected, actual: 'nobody signed in to the target (no sign-in step ran)' };
  if (t.signedIn) return { ok: true, expected, actual: `${o.verdict}: signed in (${t.evidence.join('; ')})`, ...(o.skippable ? { skipped: o.because } : {}) };
  if (o.skippable) {
    const { problems } = await refusalProblems(run, t);
    if (!problems.length) return { ok: true, expected, actual: `pass: the target performs this optional check and refuses (ended at ${where(t)})` };
    return { ok: false, expected, actual: `not signed in, and ${problems.join('; ')} — ended at ${where(t)}` };
  }
  return {
    ok: false,
    expected,
    actual: `refused a response a correct relying party must accept (${o.because}): not signed in (${t.evidence.join('; ')}), ended at ${where(t)}${t.journeyError ? ` — ${t.journeyError}` : ''}`,
  };
}

/** expectBridgeUser (the user only) against a target: signed in, and — with an identity endpoint — as this user. */
export async function judgeSignedInAs(
  run: ScenarioRun,
  expected: string,
  user: { upn: string; id?: string | undefined; mail?: string | undefined },
): Promise<CheckResult> {
  const t = lastSignIn(run);
  if (!t) return { ok: false, expected, actual: 'nobody signed in to the target (no sign-in step ran)' };
  if (!t.signedIn) {
    const exit = run.rp?.exited();
    return {
      ok: false,
      expected,
      actual: `not signed in: ${t.evidence.join('; ') || 'no check held'}; ended at ${where(t)}${t.journeyError ? ` — ${t.journeyError}` : ''}${exit ? `; the app's process ${exit}` : ''}`,
    };
  }
  if (!t.identity) return { ok: true, expected, actual: `signed in (${t.evidence.join('; ')})` };
  const wanted = [user.upn, user.id, user.mail].filter((v): v is string => !!v).map((v) => v.toLowerCase());
  const hit = Object.values(t.identity).some((v) => typeof v === 'string' && wanted.includes(v.toLowerCase()));
  return hit
    ? { ok: true, expected, actual: `signed in as ${showIdentity(t.identity)}` }
    : { ok: false, expected, actual: `signed in, but as someone else: ${showIdentity(t.identity)} (expected ${wanted.join(' / ')})` };
}
