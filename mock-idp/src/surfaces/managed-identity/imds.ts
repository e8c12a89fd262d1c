import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorContext, type MockContext } from '../../context.js';
import { isEntraError } from '../../errors/entra-error.js';
import { sendErrorJson } from '../../errors/render.js';
import { resolveTenantSegment } from '../../protocol/tenant-segment.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { findManagedIdentity } from './identity-lookup.js';
import { IMDS_ERRORS, sendImdsError } from './identity-errors.js';
import { identityToken } from './identity-token.js';
import { queryOf, singleValues } from './identity-query.js';

/**
 * The Azure Instance Metadata Service's token endpoint (VMs, scale sets, AKS nodes, Azure Arc
 * through its own port): `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
 * with `Metadata: true`, optionally `client_id`, `object_id` or `msi_res_id`. Every number in
 * the answer is a string and `refresh_token` is empty.
 * https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token#get-a-token-using-http
 *
 * Served under each tenant — `/{tenant}/metadata/identity/oauth2/token`, which is where
 * `AZURE_POD_IDENTITY_AUTHORITY_HOST=https://localhost:8443/{tenant}` sends MSAL Node (it appends
 * the path to that value) — and at the root, Azure's own path, where the identity is looked up
 * in every tenant (the mock plays one VM that holds them all; UNCONFIRMED model).
 */

const IMDS_PATH = '/metadata/identity/oauth2/token';
const ID_PARAMETERS = ['client_id', 'object_id', 'msi_res_id'] as const;
/** The first version of the identity endpoint; later ones answer the same fields. */
const FIRST_API_VERSION = '2018-02-01';

export function registerImdsRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.get(IMDS_PATH, (request, reply) => imdsToken(ctx, request, reply, undefined));
  app.get<{ Params: { tenant: string } }>(`/:tenant${IMDS_PATH}`, (request, reply) => imdsToken(ctx, request, reply, request.params.tenant));
  for (const url of [IMDS_PATH, `/:tenant${IMDS_PATH}`]) {
    app.route({
      method: ['POST', 'PUT', 'DELETE', 'PATCH'],
      url,
      handler: async (request, reply) => {
        request.notes.endpoint = 'managed-identity.imds';
        return sendImdsError(reply, IMDS_ERRORS.method);
      },
    });
  }
}

async function imdsToken(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, segment: string | undefined): Promise<FastifyReply> {
  request.notes.endpoint = 'managed-identity.imds';
  request.notes.flow = 'managed_identity';
  // The SSRF guard comes first: @azure/identity's availability probe (no header, no query) must get it.
  if (request.headers.metadata !== 'true') return sendImdsError(reply, IMDS_ERRORS.metadataHeader);
  let tenants: TenantRuntime[];
  if (segment === undefined) tenants = ctx.tenants.all();
  else {
    const resolved = safeResolve(ctx, segment);
    // No such tenant in the mock: no identity there either.
    if (!resolved) return sendImdsError(reply, IMDS_ERRORS.identityNotFound);
    request.notes.tenant = resolved;
    tenants = [resolved];
  }
  const query = singleValues(queryOf(request));
  if (!query) return sendImdsError(reply, IMDS_ERRORS.invalidRequest);
  const apiVersion = query.get('api-version');
  if (apiVersion === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(apiVersion) || apiVersion < FIRST_API_VERSION)
    return sendImdsError(reply, IMDS_ERRORS.invalidRequest);
  const resource = query.get('resource');
  if (resource === undefined || resource === '') return sendImdsError(reply, IMDS_ERRORS.invalidRequest);
  const named = ID_PARAMETERS.filter((p) => query.has(p));
  if (named.length > 1) return sendImdsError(reply, IMDS_ERRORS.invalidRequest);
  const found = findManagedIdentity(
    tenants,
    { clientId: query.get('client_id'), objectId: query.get('object_id'), resourceId: query.get('msi_res_id') },
    'system-or-single',
  );
  if (!found.ok)
    return sendImdsError(reply, found.reason === 'ambiguous' && named.length === 0 ? IMDS_ERRORS.multipleIdentities : IMDS_ERRORS.identityNotFound);
  request.notes.tenant = found.tenant;
  request.notes.clientId = found.identity.clientId;
  try {
    const t = await identityToken(ctx, request, found.tenant, found.identity, resource);
    return reply
      .code(200)
      .header('content-type', 'application/json; charset=utf-8')
      .send(
        JSON.stringify({
          access_token: t.accessToken,
          refresh_token: '',
          expires_in: String(t.expiresIn),
          expires_on: String(t.expiresOn),
          not_before: String(t.notBefore),
          resource: t.resource,
          token_type: 'Bearer',
        }),
      );
  } catch (e) {
    // Entra's refusal passes through (the doc's table: 400 invalid_resource with the AADSTS text).
    if (isEntraError(e)) {
      request.notes.aadsts = e.code;
      return sendErrorJson(reply, e, errorContext(ctx, request, found.tenant));
    }
    throw e;
  }
}

/** The tenant a path segment names (GUID or verified domain), or undefined; never an alias. */
export function safeResolve(ctx: MockContext, segment: string): TenantRuntime | undefined {
  try {
    const r = resolveTenantSegment(ctx.tenants, segment);
    return r.kind === 'tenant' ? r.tenant : undefined;
  } catch {
    return undefined;
  }
}
