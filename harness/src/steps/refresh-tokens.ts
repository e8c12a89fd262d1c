import type { BridgeError, BridgeStatus } from '../../bridge/index.js';
import type { ScenarioRun } from '../run-context.js';
import type { CheckResult, Expectation, Step } from '../scenario.js';

/**
 * Refresh tokens in scenarios: the bridge refreshes a signed-in user's tokens, and what a correct
 * relying party does with the refresh response's new ID token — OIDC Core 12.2: its `iss` and
 * `sub` MUST be the original ID token's (https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse;
 * OIDF oidcc-client-test-refresh-token-invalid-issuer / …-invalid-sub). The bridge keeps a session
 * (the refresh token, the first ID token's `iss` and `sub`) when Entra returned a refresh token,
 * which it does for the scope `offline_access` (configureBridge({ scopes: [..., 'offline_access'] })).
 */

/**
 * Bridge only: a target exposes no "refresh now" hook (its refresh happens when its own access
 * token expires), so these never run against a target.
 */
const BRIDGE_ONLY = {
  conform: { needs: ['bridgeOnly'], reason: 'refreshing tokens on demand is a hook of the reference bridge (POST /api/users/:subject/refresh)' },
} as const;

/** The bridge's subject for a user of the tenant (UPN, mail or object id), as its attribute mapping made it. */
async function bridgeSubject(run: ScenarioRun, status: BridgeStatus, user: string): Promise<string | undefined> {
  const fixtureUser = await run.user(user).catch(() => undefined);
  const oid = (fixtureUser?.id ?? run.localize(user)).toLowerCase();
  const upn = (fixtureUser?.userPrincipalName ?? run.localize(user)).toLowerCase();
  return (
    status.users.find((u) => u.subject.toLowerCase() === oid) ?? status.users.find((u) => Object.values(u.attributes).some((v) => v?.toLowerCase() === upn))
  )?.subject;
}

const describe = (e: BridgeError): string => `[${e.phase}] ${e.error} — ${e.description.split(/\r?\n/)[0]}`;

/**
 * The bridge refreshes the tokens of a user who signed in (with `offline_access`) through the
 * token endpoint's refresh_token grant, and checks the new ID token. A refusal is an outcome
 * (see expectRefreshRejected), not a failure of the step; the step fails only when the user never
 * signed in to the bridge.
 *
 * @example bridgeRefresh({ user: 'AdeleV@contoso.onmicrosoft.com' })
 */
export function bridgeRefresh(o: { user: string }): Step {
  return Object.freeze({
    kind: 'bridgeRefresh',
    label: `the bridge refreshes the tokens of ${o.user}`,
    ...BRIDGE_ONLY,
    async run(run: ScenarioRun) {
      const bridge = await run.bridge();
      const subject = await bridgeSubject(run, bridge.status(), o.user);
      if (!subject) throw new Error(`${run.localize(o.user)} never signed in to the bridge: nothing to refresh (sign in first)`);
      const r = await bridge.refresh(subject);
      return r.ok
        ? `refreshed ${subject}${r.idToken ? '; the new ID token names the same iss and sub' : ' (no ID token in the answer)'}`
        : `the bridge refused the refresh of ${subject} and ended its session: ${r.error ? describe(r.error) : 'unknown error'}`;
    },
  });
}

function expectation(kind: string, label: string, check: (run: ScenarioRun) => Promise<CheckResult>, mutated: () => Expectation): Expectation {
  return Object.freeze({ kind, label, ...BRIDGE_ONLY, check, mutated });
}

/**
 * The bridge refused the refresh of this user's tokens — the error (its code, or text / a RegExp
 * matched against `code description`) is recorded in phase `refresh` — and ended the user's
 * session: no refresh token is kept for tokens it cannot trust.
 *
 * @example expectRefreshRejected({ user: 'AdeleV@contoso.onmicrosoft.com', error: 'refresh_id_token_sub_changed' })
 */
export function expectRefreshRejected(o: { user: string; error?: string | RegExp }): Expectation {
  const label = `the bridge refuses the refresh of ${o.user}'s tokens${o.error ? ` with ${String(o.error)}` : ''} and ends the session`;
  return expectation(
    'expectRefreshRejected',
    label,
    async (run) => {
      const expected = run.localize(label);
      const status = run.startedBridge?.status();
      if (!status) return { ok: false, expected, actual: 'the bridge was never started' };
      const subject = await bridgeSubject(run, status, o.user);
      if (!subject) return { ok: false, expected, actual: `${run.localize(o.user)} never signed in to the bridge` };
      const refusals = status.errors.filter((e) => e.phase === 'refresh');
      const hit = refusals.find(
        (e) =>
          o.error === undefined ||
          (typeof o.error === 'string' ? e.error === o.error || e.description.includes(o.error) : o.error.test(`${e.error} ${e.description}`)),
      );
      const session = status.sessions.find((s) => s.subject === subject);
      const problems: string[] = [];
      if (!hit) problems.push(refusals.length ? `refresh errors: ${refusals.map(describe).join('; ')}` : 'no refresh was refused');
      if (session) problems.push(`the session is still open (${session.refreshes} refresh(es))`);
      return { ok: problems.length === 0, expected, actual: problems.length ? problems.join('; ') : `refused: ${describe(hit!)}; session ended` };
    },
    () => expectRefreshAccepted({ user: o.user }),
  );
}

/**
 * The bridge refreshed this user's tokens: the session is open, refreshed at least once, and no
 * refresh was refused.
 *
 * @example expectRefreshAccepted({ user: 'AdeleV@contoso.onmicrosoft.com' })
 */
export function expectRefreshAccepted(o: { user: string }): Expectation {
  const label = `the bridge refreshes ${o.user}'s tokens and keeps the session`;
  return expectation(
    'expectRefreshAccepted',
    label,
    async (run) => {
      const expected = run.localize(label);
      const status = run.startedBridge?.status();
      if (!status) return { ok: false, expected, actual: 'the bridge was never started' };
      const subject = await bridgeSubject(run, status, o.user);
      const session = status.sessions.find((s) => s.subject === subject);
      const refusals = status.errors.filter((e) => e.phase === 'refresh');
      const problems: string[] = [];
      if (!subject) problems.push(`${run.localize(o.user)} never signed in to the bridge`);
      else if (!session) problems.push('no session (no refresh token, or ended)');
      else if (session.refreshes === 0) problems.push('the session was never refreshed');
      if (refusals.length) problems.push(`refresh errors: ${refusals.map(describe).join('; ')}`);
      return {
        ok: problems.length === 0,
        expected,
        actual: problems.length ? problems.join('; ') : `refreshed ${session!.refreshes} time(s); iss ${session!.iss}, sub ${session!.sub}`,
      };
    },
    () => expectRefreshRejected({ user: o.user }),
  );
}
