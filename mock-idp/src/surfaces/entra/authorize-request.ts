import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import type { Application } from '../../directory/model.js';
import type { RedirectTarget } from '../../errors/render.js';
import { refuseSingleTenantOnAlias, resolveClient } from '../../protocol/client-app.js';
import { requireNonceForIdToken } from '../../protocol/nonce.js';
import { PAGE_TOKEN_FIELD, refusePageAnswerByGet } from '../../protocol/page-token.js';
import type { Params } from '../../protocol/params.js';
import { checkChallenge } from '../../protocol/pkce.js';
import { matchRedirectUri, resolveRedirectUri, type MatchedRedirect } from '../../protocol/redirect-uri.js';
import { checkResourceParameter } from '../../protocol/resource-parameter.js';
import { parseResponseType, refuseDisabledResponseType, responseModeFor, type ResponseType } from '../../protocol/response-type.js';
import { authorizeScope, parseScopes, type RequestedScopes } from '../../protocol/scope.js';
import type { TenantSegment } from '../../protocol/tenant-segment.js';
import { requireV1Resource } from '../../protocol/v1-resource.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import type { PkceChallenge } from '../../store/codes.js';
import { tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * An authorize request as its checks build it, in two steps like node-oidc-provider's
 * authorization pipeline: first who asks and where answers may go (refusals on Microsoft's error
 * page: the redirect URI is not trusted yet), then the checks whose refusals go back to the
 * client. Each check is one named rule in protocol/, run in the order Entra applies them.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 */

/** A client whose redirect URI is trusted: from here on, refusals go back to it. */
export interface TrustedClient {
  version: 'v1' | 'v2';
  params: Params;
  tenant: TenantRuntime;
  client: Application;
  /** The registered redirect URI the request matched: its platform decides who may redeem a code. */
  redirect: MatchedRedirect;
  responseType: ResponseType;
  target: RedirectTarget;
  /** The `{tenant}` the request named (a single-tenant app is refused on /common once its redirect URI is trusted). */
  segment: TenantSegment;
}

export interface AuthorizeRequest extends TrustedClient {
  nonce: string | undefined;
  /** The scope as requested (v1: built from `resource`), kept with the code. */
  scope: string;
  scopes: RequestedScopes;
  pkce: PkceChallenge | undefined;
  prompt: string | undefined;
  /** The authorize URL's path, where the sign-in and consent pages post back. */
  path: string;
}

/** Step one: the tenant, the client, its redirect URI and the response type. */
export function identifyClient(ctx: MockContext, request: FastifyRequest<TenantRoute>, params: Params, version: 'v1' | 'v2'): TrustedClient {
  const seg = tenantOf(ctx, request, `authorize.${version}`);
  const clientId = params.require('client_id');
  request.notes.clientId = clientId;
  const { tenant, app: client } = resolveClient(ctx.tenants, seg, clientId);
  request.notes.tenant = tenant;
  const responseType = parseResponseType(params.get('response_type'));
  request.notes.flow = params.get('response_type');
  const requested = params.get('redirect_uri');
  // A disabled response type with a redirect URI that is not registered: Entra's page names the
  // response type, not the redirect URI (microsoft-teams-faqplusplus-app #103, a wrong redirect
  // URI that showed AADSTS700054). With a registered one it goes back to the app (step two).
  if (requested !== undefined && !matchRedirectUri(client, requested)) refuseDisabledResponseType(responseType, client);
  const redirect = resolveRedirectUri(client, requested);
  const target: RedirectTarget = {
    redirectUri: params.get('redirect_uri') ?? redirect.registered,
    mode: responseModeFor(params.get('response_mode'), responseType),
    state: params.get('state'),
  };
  return { version, params, tenant, client, redirect, responseType, target, segment: seg };
}

/** Step two: the checks after the redirect URI is trusted, in Entra's order. */
export function checkAuthorizeRequest(trusted: TrustedClient, request: FastifyRequest): AuthorizeRequest {
  const { params } = trusted;
  refusePageAnswerByGet(request.method, params);
  refuseSingleTenantOnAlias(trusted.segment, trusted.client);
  refuseDisabledResponseType(trusted.responseType, trusted.client);
  if (trusted.version === 'v1' && trusted.responseType.token) requireV1Resource(params);
  const nonce = requireNonceForIdToken(trusted.responseType, params.get('nonce'));
  const scope = authorizeScope(params, trusted.version);
  const scopes = parseScopes(trusted.tenant.directory, scope, trusted.client);
  if (trusted.version === 'v2') checkResourceParameter(trusted.tenant.directory, params, scopes);
  const pkce = checkChallenge(params.get('code_challenge'), params.get('code_challenge_method'));
  return { ...trusted, nonce, scope, scopes, pkce, prompt: params.get('prompt'), path: request.url.split('?')[0]! };
}

/**
 * The request as it goes on in the signed-in user's tenant, when that is not the app's: a
 * multi-tenant app on /organizations or /common. Consent, the code and the tokens are that
 * tenant's (its `tid` and issuer); the scopes name resources as that tenant knows them.
 * https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant
 */
export function inUserTenant(ar: AuthorizeRequest, tenant: TenantRuntime): AuthorizeRequest {
  if (tenant === ar.tenant) return ar;
  return { ...ar, tenant, scopes: parseScopes(tenant.directory, ar.scope, ar.client) };
}

/** The pages' own fields; every other parameter is carried through them as a hidden field. */
const OWN_FIELDS = new Set(['mock_action', 'loginfmt', 'passwd', 'consent', 'mock_sid', 'mock_password', PAGE_TOKEN_FIELD]);

/** Hidden fields that carry the original request through the sign-in and consent pages. */
export const carriedFields = (ar: AuthorizeRequest): Array<[string, string]> => ar.params.entries().filter(([k]) => !OWN_FIELDS.has(k));
