import type { ScenarioRun } from '../run-context.js';
import type { Step } from '../scenario.js';

/**
 * Entra rolls its signing key over (the signing-key rollover doc:
 * https://learn.microsoft.com/entra/identity-platform/signing-key-rollover): the tenant gets a new
 * key that signs every token from now on, and the JWKS lists it next to the previous one, which
 * stays published until it retires. Through the mock's control API `POST
 * /_mock/tenants/{id}/keys/rotate`. A relying party that cached the JWKS before meets a `kid` it
 * does not know and must fetch the keys again (OIDC Core 10.1.1).
 */

/**
 * It changes only the tenant, so it runs unchanged when a target takes the bridge's place; what
 * follows depends on the keys the relying party cached before (a warm cache fetches the JWKS
 * once less), so an attached target runs it only after its restart hook.
 */
const TENANT_ONLY = {
  conform: { needs: [], freshRp: 'a key rotation: the outcome and the JWKS requests depend on the keys the relying party cached before the scenario' },
} as const;

/**
 * Rotates the scenario tenant's signing key now. `retireAfterSeconds` (tenant clock, default 24 h):
 * when the previous key leaves the JWKS.
 *
 * @example rotateSigningKey()
 */
export function rotateSigningKey(o: { retireAfterSeconds?: number } = {}): Step {
  return Object.freeze({
    kind: 'rotateSigningKey',
    label: `Entra rotates the tenant's signing key${o.retireAfterSeconds !== undefined ? ` (the previous one retires after ${o.retireAfterSeconds} s)` : ''}`,
    ...TENANT_ONLY,
    async run(run: ScenarioRun) {
      const r = await run.control.rotateKeys(run.tenant.id, o.retireAfterSeconds);
      return `new signing key ${r.kid} (previous ${r.previousKid}); the JWKS lists ${r.published.join(', ')}`;
    },
  });
}
