import type { FastifyReply, FastifyRequest } from 'fastify';
import { isGuid, newGuid } from '../support/ids.js';

/**
 * Microsoft Graph's error answers (docs/entra-wire.md §8.3): `{"error":{"code","message","innerError":
 * {"date","request-id","client-request-id"}}}`, with `request-id` / `client-request-id` headers.
 * The Graph counterpart of errors/render.ts; every Graph refusal goes through here.
 */

/**
 * CORS, on every Graph answer: graph/cors.ts sets them first thing, and the error writer below
 * too, for the refusals app.ts writes before any surface runs (a URL the router cannot decode).
 * Captured from graph.microsoft.com (a 2025 capture quoted in public code, and the photo example
 * of Graph's own 2017 docs, whose list is the first six of these names):
 * `Access-Control-Allow-Origin: *` — whatever the `Origin`, so no `Vary` — and this list of
 * exposed headers, in this order.
 */
export const GRAPH_CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers':
    'ETag, Location, Preference-Applied, Content-Range, request-id, client-request-id, ReadWriteConsistencyToken, Retry-After, SdkVersion, WWW-Authenticate, x-ms-client-gcc-tenant, X-Planner-Operationid, x-ms-permissions-recommendations',
} as const;

export interface GraphErrorSpec {
  status: number;
  code: string;
  message: string;
}

export const GRAPH_ERRORS = {
  noToken: { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token is empty.' },
  malformedToken: { status: 401, code: 'InvalidAuthenticationToken', message: 'CompactToken parsing failed with error code: 80049217' },
  invalidToken: { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' },
  // UNCONFIRMED exact text for a token of another audience (docs/entra-wire.md §7).
  wrongAudience: { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' },
  expiredToken: { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' },
  forbidden: { status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
  meAppOnly: { status: 400, code: 'BadRequest', message: '/me request is only valid with delegated authentication flow.' },

  // Directory objects and query options. `{name}` placeholders are filled by graphError().
  // Capture (microsoft-graph-docs-contrib#6431).
  notFound: {
    status: 404,
    code: 'Request_ResourceNotFound',
    message: "Resource '{id}' does not exist or one of its queried reference-property objects are not present.",
  },
  // Capture (microsoft-graph-docs#11724 and others): a group id that is not a GUID.
  invalidObjectId: { status: 400, code: 'Request_BadRequest', message: "Invalid object identifier '{id}'." },
  // Capture (microsoftgraph/microsoft-graph-docs#15067 / aad-advanced-queries): /$count without ConsistencyLevel.
  countNotSupported: { status: 400, code: 'Request_BadRequest', message: '$count is not currently supported.' },
  // Capture (msgraph-sdk-dotnet#348).
  skipNotSupported: { status: 400, code: 'Request_BadRequest', message: "'$skip' is not supported by the service." },
  // Capture (Steampipe azuread plugin comments quoting the service): $top outside 1–999.
  invalidPageSize: { status: 400, code: 'Request_UnsupportedQuery', message: "Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive." },
  // Captures (msgraph-sdk-dotnet#1190, microsoft-graph-docs#3044): any $filter that does not parse or type-check.
  invalidFilter: { status: 400, code: 'BadRequest', message: 'Invalid filter clause' },
  // UNCONFIRMED: ODataLib's wording behind "Invalid filter clause: …" (seen for other Graph workloads).
  unknownFilterProperty: {
    status: 400,
    code: 'BadRequest',
    message: "Invalid filter clause: Could not find a property named '{property}' on type 'microsoft.graph.{type}'.",
  },
  // Doc (aad-advanced-queries): a property the directory cannot filter on, in any mode.
  unsupportedFilterProperty: {
    status: 400,
    code: 'Request_UnsupportedQuery',
    message: "Unsupported or invalid query filter clause specified for property '{property}' of resource '{resource}'.",
  },
  // Doc (aad-advanced-queries, 2023 capture): an operator that needs ConsistencyLevel: eventual and $count=true.
  advancedOperator: {
    status: 400,
    code: 'Request_UnsupportedQuery',
    message:
      "Operator '{operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
  },
  // Captures (public code quoting the service): $filter on members/memberOf/… without the advanced query parameters.
  referenceFilter: {
    status: 400,
    code: 'Request_UnsupportedQuery',
    message: 'The specified filter to the reference property query is currently not supported.',
  },
  // Doc (aad-advanced-queries): $search without ConsistencyLevel: eventual.
  searchNeedsEventual: {
    status: 400,
    code: 'Request_UnsupportedQuery',
    message: "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
  },
  // UNCONFIRMED wording (recalled from the service): $orderby combined with $filter outside advanced queries.
  sortingNotSupported: { status: 400, code: 'Request_UnsupportedQuery', message: 'Sorting not supported for current query.' },
  // ODataLib's messages, which Graph passes through. UNCONFIRMED for directory objects specifically.
  unknownSelectProperty: { status: 400, code: 'BadRequest', message: "Could not find a property named '{property}' on type 'microsoft.graph.{type}'." },
  duplicateQueryOption: {
    status: 400,
    code: 'BadRequest',
    message: "Query option '{option}' was specified more than once, but it must be specified at most once.",
  },
  unknownQueryOption: { status: 400, code: 'BadRequest', message: "The query parameter '{option}' is not supported." },
  invalidTop: {
    status: 400,
    code: 'BadRequest',
    message: "Invalid value '{value}' for $top query option found. The $top query option requires a non-negative integer value.",
  },
  invalidCount: { status: 400, code: 'BadRequest', message: "'{value}' is not a valid count option." },
  // UNCONFIRMED: the code and wording for a skip token the service did not issue. The message is
  // the one a 2020 capture shows for /users (microsoft-graph-docs#8612); the code is a guess.
  badSkipToken: { status: 400, code: 'Request_BadRequest', message: 'Invalid Skip Token' },
  // UNCONFIRMED: a delta token the service did not issue.
  badDeltaToken: { status: 400, code: 'Request_BadRequest', message: 'Invalid delta token.' },
  // Doc (delta-query-overview, "Synchronization reset" / "Token duration"): 410 with a Location to
  // start over; the code is the one the doc names for expired tokens, the message its description.
  deltaResync: {
    status: 410,
    code: 'syncStateNotFound',
    message: 'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
  },
  // Doc (group-delta): $filter on delta is limited to id eq '…' (or-ed, at most 50).
  deltaFilter: {
    status: 400,
    code: 'Request_UnsupportedQuery',
    message: "Unsupported or invalid query filter clause specified for property '{property}' of resource 'Group'.",
  },
  // Captures: a body that is not JSON (Graph's well-known wording), a method a target does not take.
  invalidJsonBody: {
    status: 400,
    code: 'BadRequest',
    message: 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
  },
  methodNotAllowed: { status: 405, code: 'Request_BadRequest', message: 'Specified HTTP method is not allowed for the request target.' },
  // UNCONFIRMED wording: what the web server refuses before Graph reads the request (a body over
  // the mock's 1 MiB limit; Graph's own limit, 4 MB, is larger), or a URL or body it cannot read.
  requestTooLarge: { status: 413, code: 'RequestEntityTooLarge', message: 'The request body is too large.' },
  requestNotValid: { status: 400, code: 'BadRequest', message: 'The request URL or body is not valid.' },
  // Captures (a 2025 capture of /users/{upn}/photo and /photo/$value quoted in public code; the
  // Graph PowerShell docs on user photos; msgraph-sdk-dotnet-core #851): a user without a photo,
  // for the photo and its metadata alike. Newer captures name the exception
  // 'Microsoft.People.Image.Common.Exceptions.ImageNotFoundException'; clients match the code.
  imageNotFound: {
    status: 404,
    code: 'ImageNotFound',
    message: "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
  },
  // Capture (microsoft-graph-docs#7414 and others): a path segment Graph does not know.
  unknownSegment: { status: 400, code: 'BadRequest', message: "Resource not found for the segment '{segment}'." },
  // UNCONFIRMED wording (the overage route uses the same): a required action parameter that is absent or of the wrong type.
  invalidActionParameter: { status: 400, code: 'Request_BadRequest', message: "Invalid value specified for property '{property}' of resource '{resource}'." },
  // ODataLib's wording for a body member the action does not take.
  unknownActionParameter: {
    status: 400,
    code: 'BadRequest',
    message: "The parameter '{parameter}' in the request payload is not a valid parameter for the operation '{operation}'.",
  },
  // Recalled service wording for a POST without a body. UNCONFIRMED.
  emptyPayload: { status: 400, code: 'BadRequest', message: 'Empty Payload. JSON content expected.' },
  // Issue microsoft-graph-docs#610 quotes the service: securityEnabledOnly=true on something that is not a user.
  securityGroupsNeedUser: { status: 400, code: 'Request_BadRequest', message: 'To get security groups, the member must be a user.' },
  // Doc (group-list-members): casting members of a Microsoft 365 group to groups, which it cannot hold. UNCONFIRMED wording.
  unsupportedMemberCast: {
    status: 400,
    code: 'Request_UnsupportedQuery',
    message: "The type cast 'microsoft.graph.group' is not supported for members of a Microsoft 365 group.",
  },
  // UNCONFIRMED wording for a malformed $search (the directory's search syntax is "property:term").
  invalidSearch: { status: 400, code: 'Request_UnsupportedQuery', message: 'Invalid $search query. Use "property:term" clauses joined by AND or OR.' },
  // Not Graph's: options the mock does not implement say so plainly instead of answering wrongly.
  mockNotImplemented: { status: 501, code: 'NotImplemented', message: 'mock-entra does not implement {feature}.' },
  // UNCONFIRMED wording; the limit of 20 ids is documented (group-checkmembergroups).
  tooManyGroupIds: { status: 400, code: 'Request_BadRequest', message: 'The number of groupIds specified exceeds the maximum of 20.' },

  // Faults injected through the test-control API (runtime/faults.ts).
  // Capture (microsoft-graph-docs-contrib#1975): Graph's directory throttling answer.
  throttled: { status: 429, code: 'TooManyRequests', message: 'Too many requests.' },
  // Doc (concepts/errors.md, code list): descriptions used as messages. UNCONFIRMED as wire text.
  serviceNotAvailable: {
    status: 503,
    code: 'serviceNotAvailable',
    message: 'The service is not available. Try the request again after a delay. There may be a Retry-After header.',
  },
  internalError: { status: 500, code: 'generalException', message: 'An unspecified error has occurred.' },
  badGateway: {
    status: 502,
    code: 'BadGateway',
    message: 'The server, while acting as a gateway or proxy, received an invalid response from the upstream server.',
  },
  gatewayTimeout: {
    status: 504,
    code: 'GatewayTimeout',
    message:
      'The server, while acting as a proxy, did not receive a timely response from the upstream server it needed to access in attempting to complete the request.',
  },
} as const satisfies Record<string, GraphErrorSpec>;

/** A spec with its `{name}` placeholders filled (values are inserted verbatim, as Graph echoes them). */
export function graphError(spec: GraphErrorSpec, params: Record<string, string | number> = {}): GraphErrorSpec {
  return { status: spec.status, code: spec.code, message: spec.message.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) };
}

/** `innerError.date`: ISO without fractional seconds and without `Z` (as Graph serves it). */
const graphDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');

export function requestIds(request: FastifyRequest): { requestId: string; clientRequestId: string } {
  const requestId = newGuid();
  const sent = request.headers['client-request-id'];
  return { requestId, clientRequestId: typeof sent === 'string' && isGuid(sent) ? sent : requestId };
}

export function sendGraphError(
  request: FastifyRequest,
  reply: FastifyReply,
  spec: GraphErrorSpec,
  now = Date.now(),
  headers: Record<string, string> = {},
): FastifyReply {
  const ids = requestIds(request);
  request.notes.error = spec.code;
  reply.code(spec.status).headers({
    'content-type': 'application/json',
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
    'strict-transport-security': 'max-age=31536000',
    ...GRAPH_CORS_HEADERS,
    ...headers,
  });
  if (spec.status === 401) {
    reply.header(
      'www-authenticate',
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    );
  }
  // A Buffer, so Fastify leaves the content type exactly `application/json`, as Graph sends it.
  return reply.send(
    Buffer.from(
      JSON.stringify({
        error: {
          code: spec.code,
          message: spec.message,
          innerError: { date: graphDate(now), 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId },
        },
      }),
    ),
  );
}
