import type { Application } from '../directory/model.js';
import { GRAPH_APP_ID, OIDC_SCOPES } from '../directory/microsoft-graph.js';
import type { TenantDirectory } from '../directory/tenant-directory.js';
import { EntraError } from '../errors/entra-error.js';
import type { Params } from './params.js';

/**
 * The `scope` parameter, split the way Entra reads it: OIDC scopes (openid, profile, email,
 * offline_access), and resource scopes `{resource}/{value}` where the resource is an App ID URI
 * or an appId, a bare value meaning Microsoft Graph (`User.Read`), and `{resource}/.default`
 * meaning "every permission configured for that resource".
 * https://learn.microsoft.com/entra/identity-platform/scopes-oidc
 */

export interface ResourceScopes {
  app: Application;
  /** The resource as the client named it (App ID URI or appId), used for v1 `aud` and the echo. */
  identifier: string;
  /** Scope values on the resource (`access_as_user`, `User.Read`, or `.default`). */
  values: string[];
}

export interface RequestedScopes {
  oidc: Set<string>;
  resources: ResourceScopes[];
}

/**
 * The scope an authorize request asks for: v2 requires `scope`; v1 takes `resource` and reads it
 * as `{resource}/.default` plus openid. https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 */
export function authorizeScope(params: Params, version: 'v1' | 'v2'): string {
  if (version === 'v2') return params.require('scope');
  const resource = params.get('resource');
  const scope = params.get('scope') ?? 'openid';
  return resource ? `${scope} ${resource}/.default` : scope;
}

/** `client`: the requesting app, named in AADSTS650053 (a scope its resource does not expose). */
export function parseScopes(dir: TenantDirectory, scope: string, client?: Application): RequestedScopes {
  const oidc = new Set<string>();
  const byResource = new Map<string, ResourceScopes>();
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(s.toLowerCase())) {
      oidc.add(s.toLowerCase());
      continue;
    }
    const slash = s.lastIndexOf('/');
    const identifier = slash < 0 ? GRAPH_APP_ID : s.slice(0, slash);
    const value = slash < 0 ? s : s.slice(slash + 1);
    const app = identifier === '' ? undefined : dir.resourceByIdentifier(identifier);
    if (!app) throw new EntraError(500011, { resource: identifier || s, tenantName: dir.displayName });
    if (value === '') throw new EntraError(70011, { scope });
    const key = app.appId.toLowerCase();
    // A bare Graph scope (User.Read) yields aud 00000003-…; a URI-named one keeps the URI as v1 aud.
    const entry = byResource.get(key) ?? { app, identifier, values: [] };
    entry.values.push(value);
    byResource.set(key, entry);
  }
  const resources = [...byResource.values()];
  for (const r of resources) checkValues(dir, r, scope, client);
  return { oidc, resources };
}

/**
 * A well-formed scope value that the resource does not expose is AADSTS650053 naming the client,
 * the value and the resource's appId (`invalid_client`, "… asked for scope 'AllSites.Read' that
 * doesn't exist on the resource '00000003-…'. Contact the app vendor.": damienbod/AspNetCoreMicrosoftGraph#1,
 * MicrosoftDocs/azure-docs#67211, Azure-Samples/active-directory-aspnetcore-webapp-openidconnect-v2#554);
 * AADSTS70011 is for a scope Entra cannot read at all (an empty value, `.default` mixed with others).
 */
function checkValues(dir: TenantDirectory, r: ResourceScopes, scope: string, client?: Application): void {
  const isDefault = r.values.includes('.default');
  if (isDefault && r.values.length > 1) throw new EntraError(70011, { scope });
  if (isDefault) return;
  const exposed = new Set(dir.scopesOf(r.app).map((s) => s.value.toLowerCase()));
  for (const v of r.values) {
    if (!exposed.has(v.toLowerCase()))
      throw new EntraError(650053, { appName: client?.displayName ?? client?.appId ?? '', scopeValue: v, resourceId: r.app.appId });
  }
}

/** Canonical casing of a scope value as the resource declares it. */
export function canonicalScope(dir: TenantDirectory, app: Application, value: string): string {
  return dir.scopesOf(app).find((s) => s.value.toLowerCase() === value.toLowerCase())?.value ?? value;
}

/**
 * The delegated scope values `.default` stands for: what the client's registration lists in
 * requiredResourceAccess for that resource.
 */
export function configuredScopes(dir: TenantDirectory, client: Application, resource: Application): string[] {
  const ids = new Set(
    (client.requiredResourceAccess ?? [])
      .filter((r) => r.resourceAppId.toLowerCase() === resource.appId.toLowerCase())
      .flatMap((r) => r.resourceAccess.filter((a) => a.type === 'Scope').map((a) => a.id.toLowerCase())),
  );
  return dir
    .scopesOf(resource)
    .filter((s) => ids.has(s.id.toLowerCase()))
    .map((s) => s.value);
}
