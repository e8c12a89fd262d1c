import type { EntraFaultSpec } from '../../../mock-idp/src/index.js';
import type { ScenarioRun } from '../run-context.js';
import type { Step } from '../scenario.js';

/**
 * Entra itself misbehaves for the scenario's tenant: the token endpoint (or authorize, the device
 * authorization endpoint, discovery, the keys) throttles — 429 with Retry-After and a plain-text
 * "Too Many Requests", as Entra answers client credentials over its limits
 * (https://learn.microsoft.com/entra/msal/dotnet/advanced/client-and-server-throttling) —
 * answers a user flow with AADSTS50196 (the client-request loop), fails transiently (503
 * temporarily_unavailable, AADSTS90033), or is slow. Through the mock's control API
 * `POST /_mock/tenants/{id}/entra/faults` (README, "Faults"); the Graph counterpart is graphFault().
 */

/** What `entraFault()` injects: the test-control API's Entra fault. */
export type EntraFaultOptions = EntraFaultSpec;

/**
 * It changes only the tenant, so it runs unchanged when a target takes the bridge's place.
 *
 * @example entraFault({ answer: 'throttled', grantType: 'client_credentials', count: 1 })
 */
export function entraFault(spec: EntraFaultOptions): Step {
  const parts = [
    spec.answer ?? '',
    spec.answer === 'throttled' ? `Retry-After ${spec.retryAfterSeconds ?? 60}s` : '',
    spec.latencyMs ? `+${spec.latencyMs} ms` : '',
    spec.grantType ? `for ${spec.grantType}` : '',
    spec.count ? `next ${spec.count} request(s)` : '',
  ];
  return Object.freeze({
    kind: 'entraFault',
    label: `Entra's ${spec.endpoint ?? 'token'} endpoint answers ${parts.filter(Boolean).join(', ')}`,
    conform: { needs: [] },
    async run(run: ScenarioRun) {
      const fault = await run.control.setEntraFault(run.tenant.id, spec);
      return `Entra fault ${fault.id} set`;
    },
  });
}
