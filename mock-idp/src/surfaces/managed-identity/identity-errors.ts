import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * The two managed-identity endpoints answer errors each in its own shape, neither Entra's:
 *
 * - IMDS: `{"error": …, "error_description": …}` with the status the doc's table gives
 *   (https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token#error-handling);
 *   "Identity not found" as users capture it (Azure/aad-pod-identity #1054, #778).
 * - App Service / Functions: `{"statusCode": …, "message": …, "correlationId": …}` and an
 *   `X-CORRELATION-ID` header, as Azure/azure-sdk-for-net #43691 captures it.
 */

const JSON_TYPE = 'application/json; charset=utf-8';

export interface ImdsError {
  status: 400 | 404 | 405 | 500;
  error: string;
  description: string;
}

export const IMDS_ERRORS = {
  /** The doc's table: no `Metadata: true` header (also what @azure/identity's availability probe gets). */
  metadataHeader: { status: 400, error: 'bad_request_102', description: 'Required metadata header not specified' },
  identityNotFound: { status: 400, error: 'invalid_request', description: 'Identity not found' },
  /** The doc's table text for invalid_request; used for a missing resource or api-version (UNCONFIRMED which text IMDS gives each). */
  invalidRequest: {
    status: 400,
    error: 'invalid_request',
    description:
      'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
  },
  /** UNCONFIRMED text: several user-assigned identities, none named, no system-assigned one. */
  multipleIdentities: {
    status: 400,
    error: 'invalid_request',
    description: 'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request',
  },
  /** A method other than GET (UNCONFIRMED text; the status is HTTP's). */
  method: { status: 405, error: 'invalid_request', description: 'The requested resource does not support http method' },
  unexpected: { status: 500, error: 'unknown', description: 'Failed to retrieve token from the Active directory.' },
} as const satisfies Record<string, ImdsError>;

export function sendImdsError(reply: FastifyReply, e: ImdsError): FastifyReply {
  return reply
    .code(e.status)
    .header('content-type', JSON_TYPE)
    .send(JSON.stringify({ error: e.error, error_description: e.description }));
}

/** App Service's answer. `message` is Azure's where a capture shows it, the mock's own (UNCONFIRMED) elsewhere. */
export function sendAppServiceError(reply: FastifyReply, statusCode: 400 | 401 | 404 | 405 | 500, message: string): FastifyReply {
  const correlationId = randomUUID();
  return reply
    .code(statusCode)
    .headers({ 'content-type': JSON_TYPE, 'x-correlation-id': correlationId })
    .send(JSON.stringify({ statusCode, message, correlationId }));
}

/** Azure's text for an identity it cannot find or choose (Azure/azure-sdk-for-net #43691). */
export const APP_SERVICE_IDENTITY_NOT_FOUND = 'Unable to load the proper Managed Identity.';
