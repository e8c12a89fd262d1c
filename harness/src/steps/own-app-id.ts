import type { TenantFixture } from '../../../mock-idp/src/index.js';

/**
 * Every scenario tenant is a copy of the default one, so the default apps' appIds exist in many
 * tenants at once. Entra's appIds are globally unique, and /common and /organizations find an
 * app by its appId alone (its home tenant), so a scenario about those endpoints gives its app an
 * appId of its own: the app, its service principal, its consent grants and its app role
 * assignments all move to the new id — the same registration under another Application (client) ID.
 */

/**
 * A `tenant.mutate` edit: the application `appId` becomes `newAppId` everywhere in the tenant.
 * Configure the relying party with the new client ID (`configureBridge({ clientId: newAppId })`).
 *
 * @example tenant: { mutate: withOwnAppId(CONTOSO.bridge.appId, '3f9c…') }
 */
export function withOwnAppId(appId: string, newAppId: string): (t: TenantFixture) => void {
  const from = new RegExp(appId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return (t) => {
    const moved = JSON.parse(JSON.stringify(t).replace(from, newAppId)) as TenantFixture;
    Object.assign(t, moved);
  };
}
