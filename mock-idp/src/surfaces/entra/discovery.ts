import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { graphHost, v1Issuer, v2Issuer } from '../../runtime/urls.js';
import { CLOUDS } from '../../impersonation/clouds.js';
import { currentHost, tenantCloud } from '../../impersonation/request-urls.js';
import { MSA_TENANT_ID, type TenantSegment } from '../../protocol/tenant-segment.js';
import type { Mutation } from '../../runtime/mutations.js';
import { WILD_ISSUER } from '../../tokens/mutations.js';
import { METADATA_HEADERS, tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * OpenID discovery documents, v2 and v1, key order as Entra serves them (docs/entra-wire.md §1).
 * https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
 * Documents are serialized once per tenant and served as bytes.
 */
export function registerDiscoveryRoutes(app: FastifyInstance, ctx: MockContext): void {
  const cacheMulti = new Map<string, Buffer>();
  // Synchronous handlers (nothing to await): no promise per request; Fastify catches what they throw.
  const serve = (version: 'v1' | 'v2') => {
    const key = `discovery.${version}`;
    return (request: FastifyRequest<DiscoveryRoute>, reply: FastifyReply): FastifyReply => {
      const seg = tenantOf(ctx, request, key);
      const appId = appIdOf(request);
      // A test's mutation, or an app's own keys, bypass the cached bytes (and never enter them).
      const taken = seg.kind === 'tenant' && seg.tenant.mutations.size > 0 ? seg.tenant.mutations.take('discovery', undefined, () => true) : undefined;
      if (taken || appId !== undefined) {
        const doc = version === 'v2' ? v2Document(ctx, seg) : v1Document(ctx, seg);
        if (appId !== undefined) doc.jwks_uri = `${String(doc.jwks_uri)}?appid=${appId}`;
        if (taken && seg.kind === 'tenant') {
          mutateDocument(ctx, doc, taken.mutation, version);
          seg.tenant.mutations.noteApplied(request.notes, undefined, taken.mutation);
        }
        return reply.headers(METADATA_HEADERS).send(JSON.stringify(doc));
      }
      let body: Buffer | undefined;
      if (seg.kind === 'tenant') {
        // Impersonating, the same tenant's document differs per host name: keyed by both origins.
        const k = `${key}${ctx.urls.login}${ctx.urls.v2Issuer}`;
        body = seg.tenant.cache.get(k)?.body;
        if (!body) seg.tenant.cache.set(k, { body: (body = serialize(ctx, seg, version)), until: Infinity });
      } else {
        const k = `${key}.${seg.alias}${ctx.urls.login}`;
        body = cacheMulti.get(k);
        if (!body) cacheMulti.set(k, (body = serialize(ctx, seg, version)));
      }
      return reply.headers(METADATA_HEADERS).send(body);
    };
  };
  app.get<DiscoveryRoute>('/:tenant/v2.0/.well-known/openid-configuration', serve('v2'));
  app.get<DiscoveryRoute>('/:tenant/.well-known/openid-configuration', serve('v1'));
}

interface DiscoveryRoute extends TenantRoute {
  Querystring: { appid?: string | string[] };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `?appid={client id}`: the document of an app with its own signing keys (a claims-mapping
 * policy) names `jwks_uri?appid={client id}` (docs/entra-wire.md §1, access-tokens doc). Only an
 * application id (a GUID) is echoed; anything else is ignored (UNCONFIRMED what Entra does with it).
 */
function appIdOf(request: FastifyRequest<DiscoveryRoute>): string | undefined {
  const appid = request.query.appid;
  return typeof appid === 'string' && GUID.test(appid) ? appid.toLowerCase() : undefined;
}

/** A test's discovery mutation ("Broken on purpose", tokens/mutations.ts). */
function mutateDocument(ctx: MockContext, doc: Record<string, unknown>, m: Mutation, version: 'v1' | 'v2'): void {
  if (m.kind === 'issuer-near-miss') doc.issuer = `${String(doc.issuer)}1`;
  else if (m.kind === 'issuer-wild') doc.issuer = m.value ?? WILD_ISSUER;
  else if (m.kind === 'jwks-uri-other-tenant') doc.jwks_uri = `${ctx.urls.login}/${m.tenantId}/discovery/${version === 'v2' ? 'v2.0/' : ''}keys`;
}

/** Bytes, not a string: served as they are, with no encoding or length count per request. */
function serialize(ctx: MockContext, seg: TenantSegment, version: 'v1' | 'v2'): Buffer {
  return Buffer.from(JSON.stringify(version === 'v2' ? v2Document(ctx, seg) : v1Document(ctx, seg)));
}

function pathSegment(seg: TenantSegment): string {
  return seg.kind === 'tenant' ? seg.tenant.id : seg.alias;
}

function v2Document(ctx: MockContext, seg: TenantSegment): Record<string, unknown> {
  const login = ctx.urls.login;
  const p = pathSegment(seg);
  // common/organizations publish the issuer template; consumers the Microsoft-account tenant.
  const issuer =
    seg.kind === 'tenant'
      ? v2Issuer(ctx.urls, seg.tenant.id)
      : seg.alias === 'consumers'
        ? v2Issuer(ctx.urls, MSA_TENANT_ID)
        : v2Issuer(ctx.urls, '{tenantid}');
  const doc: Record<string, unknown> = {
    token_endpoint: `${login}/${p}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${login}/${p}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.urls.graph}/oidc/userinfo`,
    authorization_endpoint: `${login}/${p}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${login}/${p}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${login}/${p}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
  };
  if (seg.kind === 'tenant') doc.kerberos_endpoint = `${login}/${p}/kerberos`;
  Object.assign(doc, cloudFields(ctx, seg));
  return doc;
}

function v1Document(ctx: MockContext, seg: TenantSegment): Record<string, unknown> {
  const login = ctx.urls.login;
  const p = pathSegment(seg);
  const issuer = seg.kind === 'tenant' ? v1Issuer(ctx.urls, seg.tenant.id) : `${ctx.urls.v1Issuer}/{tenantid}/`;
  const doc: Record<string, unknown> = {
    token_endpoint: `${login}/${p}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    // Captures show /common/discovery/keys here; the mock names the tenant's own keys so a
    // tenant whose keys were rotated through the control API still validates (UNCONFIRMED
    // whether Entra now does the same).
    jwks_uri: `${login}/${p}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer,
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${login}/${p}/oauth2/authorize`,
    device_authorization_endpoint: `${login}/${p}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${login}/${p}/oauth2/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'amr',
      'nonce',
      'email',
      'given_name',
      'family_name',
      'nickname',
    ],
    check_session_iframe: `${login}/${p}/oauth2/checksession`,
    userinfo_endpoint: `${login}/${p}/openid/userinfo`,
  };
  if (seg.kind === 'tenant') doc.kerberos_endpoint = `${login}/${p}/kerberos`;
  Object.assign(doc, cloudFields(ctx, seg));
  return doc;
}

/**
 * The cloud fields, from the tenant's cloud (fixture `cloud`; the host's for common/organizations;
 * values and sources: impersonation/clouds.ts). `msgraph_host` names where Graph is: Microsoft's
 * host impersonating, else the mock's own. `rbac_url` is the public cloud's everywhere (UNCONFIRMED
 * for the national clouds).
 */
function cloudFields(ctx: MockContext, seg: TenantSegment): Record<string, unknown> {
  const host = currentHost();
  const cloud = CLOUDS[seg.kind === 'tenant' ? tenantCloud(seg.tenant.directory.fixture) : (host?.cloud.name ?? 'AzurePublic')];
  return {
    tenant_region_scope: seg.kind === 'tenant' ? cloud.tenantRegionScope : null,
    cloud_instance_name: cloud.cloudInstanceName,
    cloud_graph_host_name: cloud.cloudGraphHostName,
    msgraph_host: host ? cloud.graph : graphHost(ctx.urls),
    rbac_url: 'https://pas.windows.net',
  };
}
