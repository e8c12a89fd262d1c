import type { MutationSpec } from '../../../mock-idp/src/index.js';
import type { Step } from '../scenario.js';

/**
 * "Broken on purpose" as a scenario step: the next response(s) of one kind — an ID token, the
 * discovery document, the JWKS… — come back broken in exactly one way, for the scenario's tenant
 * only (README "Broken on purpose"; the mock's control API `POST /_mock/tenants/{id}/mutations`).
 * The relying-party negatives (scenarios/rp-negatives/) queue one, then sign in: a correct relying
 * party must refuse what it gets — or, where the specification lets it skip a check, may accept.
 */

/**
 * A relying party that cached the discovery document or the JWKS before the mutation never sees
 * a broken or rotated one (mod_auth_openidc: OIDCProviderMetadataRefreshInterval,
 * OIDCJWKSRefreshInterval; openid-client: its JWKS cache): such a scenario needs a fresh one.
 */
function freshRpReason(spec: MutationSpec): { freshRp?: string } {
  if (spec.target === 'discovery') return { freshRp: `the relying party must fetch the discovery document afresh to see it ${spec.kind}` };
  if (spec.target === 'jwks') return { freshRp: `the relying party must fetch the JWKS afresh (${spec.kind}): a cached key set hides the change` };
  return {};
}

/** What `mutateNext()` queues: the control API's mutation (target, kind, count, clientId and the kind's params). */
export type MutateNextOptions = MutationSpec;

/**
 * Queues a mutation in the scenario's tenant. Values written with the default tenant's id or
 * domain (`value`, `tenantId`) are mapped onto the scenario's tenant like every other step's.
 * The mock refuses an unknown target or kind (400 `InvalidMutation`): the step then fails, since
 * a scenario that breaks nothing would prove nothing.
 *
 * @example mutateNext({ target: 'id_token', kind: 'iss-near-miss' })
 * @example mutateNext({ target: 'jwks', kind: 'several-keys', keys: 2 })
 */
export function mutateNext(spec: MutateNextOptions): Step {
  const params = Object.entries(spec)
    .filter(([k]) => !['target', 'kind', 'count', 'clientId'].includes(k))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const scope = [
    spec.count !== undefined && spec.count !== 1 ? `the next ${spec.count} ${spec.target} responses` : `the next ${spec.target} response`,
    spec.clientId ? `for client ${spec.clientId}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const label = `broken on purpose: ${scope} gets ${spec.kind}${params.length ? ` (${params.join(', ')})` : ''}`;
  return Object.freeze({
    kind: 'mutateNext',
    label,
    conform: { needs: [], ...freshRpReason(spec) },
    async run(run) {
      const queued = await run.control.addMutation(run.tenant.id, run.localize(spec));
      return `${queued.id} queued: ${queued.target} · ${queued.kind}${queued.remaining !== undefined ? `, ${queued.remaining} response(s)` : ''}`;
    },
  } satisfies Step);
}
