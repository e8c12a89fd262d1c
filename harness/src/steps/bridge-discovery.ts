import type { ScenarioRun } from '../run-context.js';
import type { Step } from '../scenario.js';

/**
 * PingOne "Connect to Azure" steps 7–8: the person copies a URL from the app registration's
 * Endpoints panel into the bridge's Discovery Endpoint. The panel lists several URLs — the v2.0
 * OpenID Connect metadata document, the v1 one, the OAuth 2.0 authorize and token endpoints — and
 * the portal's copy of the metadata URL on a multi-tenant registration uses `organizations` or
 * `common`. A scenario names which one was pasted; the step builds it on the mock the run uses.
 */

/** Which URL the person pasted into the Discovery Endpoint. */
export interface BridgeDiscoveryOptions {
  /**
   * The tenant segment: the scenario's own tenant (default), `common`, `organizations`,
   * `consumers`, or another tenant id / domain (write it as-is; the default tenant's id and
   * domain are mapped onto the run's).
   */
  tenant?: string;
  /** `v2` (default): `/{tenant}/v2.0/.well-known/openid-configuration`; `v1`: `/{tenant}/.well-known/openid-configuration`. */
  version?: 'v1' | 'v2';
  /**
   * Not the metadata document at all: the Endpoints panel's "OAuth 2.0 authorization endpoint
   * (v2)" (`/{tenant}/oauth2/v2.0/authorize`) pasted in its place.
   */
  pasted?: 'metadata' | 'authorize-endpoint';
}

/** The URL the options describe, on the mock that serves the run's tenant. */
export function discoveryUrlFor(run: ScenarioRun, o: BridgeDiscoveryOptions): string {
  const origin = new URL(run.tenant.discoveryUrl).origin;
  const tenant = o.tenant === undefined ? run.tenant.id : run.localize(o.tenant);
  if (o.pasted === 'authorize-endpoint') return `${origin}/${tenant}/oauth2/v2.0/authorize`;
  return o.version === 'v1' ? `${origin}/${tenant}/.well-known/openid-configuration` : `${origin}/${tenant}/v2.0/.well-known/openid-configuration`;
}

/**
 * Sets the bridge's Discovery Endpoint to one of the URLs of the Endpoints panel (before it
 * starts, or on its settings page later). The bridge's own setting: never applied to a target.
 *
 * @example configureBridgeDiscovery({ tenant: 'common' })           // single-tenant app on /common
 * @example configureBridgeDiscovery({ version: 'v1' })              // the v1 metadata document
 */
export function configureBridgeDiscovery(o: BridgeDiscoveryOptions = {}): Step {
  const what =
    o.pasted === 'authorize-endpoint'
      ? `the OAuth 2.0 authorization endpoint of ${o.tenant ?? 'the tenant'}`
      : `the ${o.version ?? 'v2'} metadata document of ${o.tenant ?? 'the tenant'}`;
  const step: Step = {
    kind: 'configureBridgeDiscovery',
    label: `the bridge's Discovery Endpoint is set to ${what}`,
    conform: { needs: ['bridgeOnly'], reason: "changes the bridge's own Discovery Endpoint setting" },
    async run(run: ScenarioRun) {
      const discoveryUrl = discoveryUrlFor(run, o);
      await run.configureBridge({ discoveryUrl });
      return `Discovery Endpoint: ${discoveryUrl}`;
    },
  };
  return Object.freeze(step);
}
