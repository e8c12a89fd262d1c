import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { isEntraError } from '../../errors/entra-error.js';
import { findManagedIdentity } from './identity-lookup.js';
import { APP_SERVICE_IDENTITY_NOT_FOUND, sendAppServiceError } from './identity-errors.js';
import { identityToken } from './identity-token.js';
import { queryOf, singleValues } from './identity-query.js';
import { safeResolve } from './imds.js';

/**
 * The App Service / Azure Functions / Container Apps identity endpoint, version 2019-08-01:
 * `GET {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01` with the header
 * `X-IDENTITY-HEADER: {IDENTITY_HEADER}`, optionally `client_id`, `principal_id` (`object_id`,
 * which MSAL sends) or `mi_res_id`. The answer: `access_token`, `expires_on` (epoch seconds, a
 * string), `resource`, `token_type`, `client_id`.
 * https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
 *
 * The mock serves it per tenant, `IDENTITY_ENDPOINT=https://localhost:8443/{tenant}/msi/token`:
 * the tenant's managed identities are the app's (its system-assigned one answers a request that
 * names none). Azure's IDENTITY_HEADER is a secret of the app instance the mock cannot know, so
 * any non-empty value is taken; a request without one is refused (UNCONFIRMED status and text).
 * 2017-09-01 (header `secret`, a date string in expires_on) is not served.
 */

const API_VERSION = '2019-08-01';

export function registerAppServiceRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.get<{ Params: { tenant: string } }>('/:tenant/msi/token', (request, reply) => appServiceToken(ctx, request, reply));
  app.route({
    method: ['POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/:tenant/msi/token',
    handler: async (request, reply) => {
      request.notes.endpoint = 'managed-identity.app-service';
      return sendAppServiceError(reply, 405, `The requested resource does not support http method '${request.method}'.`);
    },
  });
}

async function appServiceToken(ctx: MockContext, request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  request.notes.endpoint = 'managed-identity.app-service';
  request.notes.flow = 'managed_identity';
  const tenant = safeResolve(ctx, request.params.tenant);
  // The mock's own path segment: its wording.
  if (!tenant)
    return sendAppServiceError(
      reply,
      404,
      `No tenant '${request.params.tenant.slice(0, 100)}' in this mock: IDENTITY_ENDPOINT names a tenant by id or verified domain.`,
    );
  request.notes.tenant = tenant;
  const header = request.headers['x-identity-header'];
  if (typeof header !== 'string' || header === '') return sendAppServiceError(reply, 401, 'The X-IDENTITY-HEADER header is missing.');
  const query = singleValues(queryOf(request));
  if (!query) return sendAppServiceError(reply, 400, 'A query parameter is repeated.');
  const apiVersion = query.get('api-version');
  if (apiVersion !== API_VERSION) {
    return sendAppServiceError(reply, 400, `The api-version '${(apiVersion ?? '').slice(0, 40)}' is not supported: use ${API_VERSION}.`);
  }
  const resource = query.get('resource');
  if (resource === undefined || resource === '') return sendAppServiceError(reply, 400, 'The resource parameter is missing.');
  const objectId = query.get('principal_id') ?? query.get('object_id');
  const named = ['client_id', 'principal_id', 'object_id', 'mi_res_id'].filter((p) => query.has(p));
  if (named.length > 1) return sendAppServiceError(reply, 400, APP_SERVICE_IDENTITY_NOT_FOUND);
  const found = findManagedIdentity([tenant], { clientId: query.get('client_id'), objectId, resourceId: query.get('mi_res_id') }, 'system-assigned');
  if (!found.ok) return sendAppServiceError(reply, 400, APP_SERVICE_IDENTITY_NOT_FOUND);
  request.notes.clientId = found.identity.clientId;
  try {
    const t = await identityToken(ctx, request, tenant, found.identity, resource);
    return reply
      .code(200)
      .header('content-type', 'application/json; charset=utf-8')
      .send(
        JSON.stringify({
          access_token: t.accessToken,
          expires_on: String(t.expiresOn),
          resource: t.resource,
          token_type: 'Bearer',
          client_id: found.identity.clientId,
        }),
      );
  } catch (e) {
    // Entra's refusal in App Service's shape (UNCONFIRMED: captures show only the shape).
    if (isEntraError(e)) {
      request.notes.aadsts = e.code;
      return sendAppServiceError(reply, 400, e.message);
    }
    throw e;
  }
}
