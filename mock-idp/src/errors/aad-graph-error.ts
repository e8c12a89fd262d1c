import type { FastifyReply, FastifyRequest } from 'fastify';
import { newGuid } from '../support/ids.js';

/**
 * Azure AD Graph's error body (graph.windows.net), for the one route that imitates it (the groups
 * overage pointer): `{"odata.error":{"code","message":{"lang":"en","value"},"requestId","date"}}`.
 * https://learn.microsoft.com/previous-versions/azure/ad/graph/howto/azure-ad-graph-api-error-codes-and-error-handling
 */

export interface AadGraphErrorSpec {
  status: number;
  code: string;
  message: string;
}

export const AAD_GRAPH_ERRORS = {
  // The overage route accepts the mock's Microsoft Graph tokens; any problem with one is this answer.
  noToken: { status: 401, code: 'Authentication_MissingOrMalformed', message: 'Access Token missing or malformed.' },
  forbidden: { status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
  notFound: {
    status: 404,
    code: 'Request_ResourceNotFound',
    message: "Resource '{id}' does not exist or one of its queried reference-property objects are not present.",
  },
  invalidSecurityEnabledOnly: {
    status: 400,
    code: 'Request_BadRequest',
    message: "Invalid value specified for property 'securityEnabledOnly' of resource 'Object'.",
  },
  // UNCONFIRMED status and wording: another method than POST on the action (Microsoft Graph's words, which it took from here).
  methodNotAllowed: { status: 405, code: 'Request_BadRequest', message: 'Specified HTTP method is not allowed for the request target.' },
  // UNCONFIRMED wording: what the web server refuses before the route reads the request (a body over the limit, a bad length).
  requestNotValid: { status: 400, code: 'Request_BadRequest', message: 'The request URL or body is not valid.' },
  // The code the error-codes page lists for a server fault; the message is UNCONFIRMED.
  internalError: { status: 500, code: 'Service_InternalServerError', message: 'Encountered an internal server error.' },
} as const satisfies Record<string, AadGraphErrorSpec>;

/** A spec with its `{name}` placeholders filled. */
export function aadGraphError(spec: AadGraphErrorSpec, params: Record<string, string>): AadGraphErrorSpec {
  return { ...spec, message: spec.message.replace(/\{(\w+)\}/g, (m, k: string) => params[k] ?? m) };
}

/** Writes one of the refusals above in Azure AD Graph's shape (`odata.error`, a request id, the date). */
export function sendAadGraphError(request: FastifyRequest, reply: FastifyReply, { status, code, message }: AadGraphErrorSpec): FastifyReply {
  const requestId = newGuid();
  request.notes.error = code;
  return reply
    .code(status)
    .header('content-type', 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8')
    .header('request-id', requestId)
    .send(
      JSON.stringify({ 'odata.error': { code, message: { lang: 'en', value: message }, requestId, date: new Date().toISOString().replace(/\.\d{3}Z$/, '') } }),
    );
}
