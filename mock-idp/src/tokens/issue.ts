import { randomInt } from 'node:crypto';
import type { Application, User } from '../directory/model.js';
import type { SigningKey } from '../keys/signing-keys.js';
import type { LoggedNotes } from '../runtime/request-log.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { v1Issuer, v2Issuer, type PublicUrls } from '../runtime/urls.js';
import { opaque } from '../support/ids.js';
import { aio, type ClientAuthLevel, optionalClaimNames, optionalUserClaims, rh, sortedClaims, subjectFor, timeClaims, uti } from './claims.js';
import { graphNonceDigest, headerSegment, payloadSegment, signSegments } from './jwt.js';
import { mintMutated, type TokenTarget } from './mutations.js';
import { groupClaims } from './group-claims.js';
import { halfHash } from './subject.js';

/**
 * Mints Entra's tokens. The *resource's* registration decides the access token version
 * (api.requestedAccessTokenVersion: null/1 → v1, 2 → v2); the endpoint (v1 or v2) decides the
 * ID token version. https://learn.microsoft.com/entra/identity-platform/access-tokens#token-formats
 */

export interface IssuerContext {
  tenant: TenantRuntime;
  urls: PublicUrls;
  key: SigningKey;
  /**
   * The request's notes, when the caller has them (the token endpoint): a test's mutations
   * ("Broken on purpose") tell an ID token in a refresh response by its grant, and are shown on
   * the request's log entry.
   */
  notes?: LoggedNotes | undefined;
}

export type TokenVersion = '1.0' | '2.0';

export const accessTokenVersion = (resource: Application): TokenVersion => (resource.api?.requestedAccessTokenVersion === 2 ? '2.0' : '1.0');

/** Access tokens live 60–90 minutes, chosen at random per token, as Entra's do (access-tokens doc). */
export const accessTokenLifetime = (): number => randomInt(3600, 5400);
export const ID_TOKEN_LIFETIME = 3600;

export interface UserSession {
  user: User;
  sid: string;
  /** Seconds. */
  authTime: number;
  ipaddr?: string | undefined;
}

export interface DelegatedGrant {
  client: Application;
  clientAuth: ClientAuthLevel;
  session: UserSession;
  resource: Application;
  /** How the client named the resource (v1 `aud`). */
  resourceIdentifier: string;
  /** The delegated scopes the token carries in `scp`. */
  scopes: string[];
  /** Issued from /authorize (implicit flow): many groups become `hasgroups`. */
  implicit?: boolean;
}

function issuerFor(ctx: IssuerContext, v: TokenVersion): string {
  return v === '2.0' ? v2Issuer(ctx.urls, ctx.tenant.id) : v1Issuer(ctx.urls, ctx.tenant.id);
}

/** Graph's header nonce digest (tokens/jwt.ts), where verify-token.ts has always found it. */
export { graphNonceDigest };

/** Who a token is for, which is what a test's mutation may be scoped to (tokens/mutations.ts). */
interface TokenFor {
  target: TokenTarget;
  clientId: string;
  /** The app the token is for (`aud`): the one whose own signing key signs it, if it has one. */
  audienceApp: string;
}

/**
 * Signs a built token. The hook of "Broken on purpose": when the tenant has mutations queued (one
 * size check, nothing more on the usual path), the token goes through tokens/mutations.ts after
 * it is built and before it is signed.
 */
async function sign(ctx: IssuerContext, v: TokenVersion, claims: Record<string, unknown> | string, graph: boolean, to: TokenFor): Promise<string> {
  if (ctx.tenant.mutations.size > 0) {
    const draft = typeof claims === 'string' ? (JSON.parse(claims) as Record<string, unknown>) : claims;
    return mintMutated(ctx, { ...to, version: v, claims: draft, graph });
  }
  // The tenant's newest key: a rotation a mutation made while this response was being built signs the rest of it too.
  const key = ctx.tenant.keys[0] ?? ctx.key;
  const payload = typeof claims === 'string' ? Buffer.from(claims).toString('base64url') : payloadSegment(claims);
  if (!graph) return signSegments(headerSegment(key, v), payload, key);
  const nonce = opaque(48);
  const signed = await signSegments(headerSegment(key, v, graphNonceDigest(nonce)), payload, key);
  return `${headerSegment(key, v, nonce)}.${payload}.${signed.slice(signed.lastIndexOf('.') + 1)}`;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  version: TokenVersion;
}

export async function userAccessToken(ctx: IssuerContext, g: DelegatedGrant): Promise<IssuedAccessToken> {
  const v = accessTokenVersion(g.resource);
  const lifetime = accessTokenLifetime();
  const { user } = g.session;
  const tid = ctx.tenant.id;
  const dir = ctx.tenant.directory;
  const optional = optionalUserClaims(optionalClaimNames(g.resource.optionalClaims?.accessToken), user, v);
  const { roles, groups } = rolesAndGroups(ctx, g.resource, user, 'accessToken', g.implicit ?? false);
  const head = {
    aud: v === '2.0' ? g.resource.appId : g.resourceIdentifier,
    iss: issuerFor(ctx, v),
    ...timeClaims({ now: ctx.tenant.clock.nowSeconds(), lifetime }),
  };
  const common = {
    aio: aio(),
    name: user.displayName,
    oid: user.id,
    rh: rh(),
    roles,
    ...groups,
    scp: g.scopes.join(' '),
    sid: g.session.sid,
    sub: subjectFor(tid, g.client, user),
    tid,
    uti: uti(),
    ver: v,
    ...optional,
  };
  const claims =
    v === '2.0'
      ? sortedClaims(head, { ...common, azp: g.client.appId, azpacr: g.clientAuth, preferred_username: user.userPrincipalName })
      : sortedClaims(head, {
          ...common,
          acr: '1',
          amr: ['pwd'],
          app_displayname: dir.isGraph(g.resource) ? g.client.displayName : undefined,
          appid: g.client.appId,
          appidacr: g.clientAuth,
          family_name: user.surname ?? undefined,
          given_name: user.givenName ?? undefined,
          ipaddr: g.session.ipaddr,
          unique_name: user.userPrincipalName,
          upn: user.userPrincipalName,
        });
  const to: TokenFor = { target: 'access_token', clientId: g.client.appId, audienceApp: g.resource.appId };
  return { token: await sign(ctx, v, claims, dir.isGraph(g.resource), to), expiresIn: lifetime, version: v };
}

export interface AppOnlyGrant {
  client: Application;
  clientAuth: ClientAuthLevel;
  resource: Application;
  resourceIdentifier: string;
  /** Admin-consented application permissions; none → no `roles` claim at all (docs/entra-wire.md §3.2). */
  roles: string[];
  /** A managed identity's Azure resource id: its tokens carry it as `xms_mirid` (surfaces/managed-identity/). */
  managedIdentityResourceId?: string;
}

/** What changes from one app-only token to the next; every other claim is fixed by the grant. */
export interface AppTokenVariables {
  iat: number;
  nbf: number;
  exp: number;
  aio: string;
  rh: string;
  uti: string;
}

export async function appAccessToken(ctx: IssuerContext, g: AppOnlyGrant): Promise<IssuedAccessToken> {
  const v = accessTokenVersion(g.resource);
  const lifetime = accessTokenLifetime();
  const x: AppTokenVariables = { ...timeClaims({ now: ctx.tenant.clock.nowSeconds(), lifetime }), aio: aio(), rh: rh(), uti: uti() };
  const to: TokenFor = { target: 'access_token', clientId: g.client.appId, audienceApp: g.resource.appId };
  return { token: await sign(ctx, v, appClaimsJson(ctx, g, v, x), ctx.tenant.directory.isGraph(g.resource), to), expiresIn: lifetime, version: v };
}

/** An app-only token's claims, in Entra's order (docs/entra-wire.md §3.2). */
export function appClaims(ctx: IssuerContext, g: AppOnlyGrant, v: TokenVersion, x: Record<keyof AppTokenVariables, unknown>): Record<string, unknown> {
  const tid = ctx.tenant.id;
  const dir = ctx.tenant.directory;
  const spId = dir.servicePrincipals.get(g.client.appId.toLowerCase())?.id ?? g.client.appId;
  const head = { aud: v === '2.0' ? g.resource.appId : g.resourceIdentifier, iss: issuerFor(ctx, v), iat: x.iat, nbf: x.nbf, exp: x.exp };
  const common = {
    aio: x.aio,
    idtyp: 'app',
    oid: spId,
    rh: x.rh,
    roles: g.roles.length > 0 ? g.roles : undefined,
    sub: spId,
    tid,
    uti: x.uti,
    ver: v,
    xms_mirid: g.managedIdentityResourceId,
  };
  return v === '2.0'
    ? sortedClaims(head, { ...common, azp: g.client.appId, azpacr: g.clientAuth })
    : sortedClaims(head, {
        ...common,
        app_displayname: dir.isGraph(g.resource) ? g.client.displayName : undefined,
        appid: g.client.appId,
        appidacr: g.clientAuth,
        idp: v1Issuer(ctx.urls, tid),
      });
}

/**
 * The claims of an app-only token as JSON, byte for byte `JSON.stringify(appClaims(…))`. Everything
 * but the six variables is fixed by the grant (client, resource, credential type, roles, tenant),
 * so the JSON around them is built once per grant and a token only splices its own times and
 * opaque values in (numbers, and base64url strings that need no escaping).
 */
export function appClaimsJson(ctx: IssuerContext, g: AppOnlyGrant, v: TokenVersion, x: AppTokenVariables): string {
  const key = [
    v,
    ctx.urls.login,
    ctx.urls.v1Issuer,
    ctx.tenant.id,
    g.client.appId,
    g.client.displayName,
    g.clientAuth,
    g.resource.appId,
    g.resourceIdentifier,
    ctx.tenant.directory.servicePrincipals.get(g.client.appId.toLowerCase())?.id ?? '',
    g.roles.join('\u0001'),
    g.managedIdentityResourceId ?? '',
  ].join('\u0002');
  let parts = appTemplates.get(key);
  if (parts === undefined) {
    parts = templateOf(JSON.stringify(appClaims(ctx, g, v, SLOT_MARKS)));
    if (appTemplates.size >= 1024) appTemplates.clear();
    appTemplates.set(key, parts);
  }
  if (parts === null) return JSON.stringify(appClaims(ctx, g, v, x));
  let json = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const value = x[parts[i] as keyof AppTokenVariables];
    json += typeof value === 'number' ? String(value) : `"${value}"`;
    json += parts[i + 1]!;
  }
  return json;
}

const SLOTS = ['iat', 'nbf', 'exp', 'aio', 'rh', 'uti'] as const;
const SLOT_MARKS = Object.fromEntries(SLOTS.map((s) => [s, `\u0000${s}\u0000`])) as Record<keyof AppTokenVariables, string>;
/** Grant → the claims JSON split around the variables: [text, slot, text, slot, …, text]; null: no template (see templateOf). */
const appTemplates = new Map<string, string[] | null>();

/** Splits serialized claims around the slot marks; null unless each slot appears exactly once (a fixture value could mimic a mark). */
function templateOf(json: string): string[] | null {
  const parts = json.split(/"\\u0000(iat|nbf|exp|aio|rh|uti)\\u0000"/);
  const found = parts.filter((_, i) => i % 2 === 1);
  return found.length === SLOTS.length && new Set(found).size === SLOTS.length ? parts : null;
}

export interface IdTokenRequest {
  client: Application;
  session: UserSession;
  /** OIDC scopes granted (profile and email gate their claims). */
  oidc: Set<string>;
  nonce?: string | undefined;
  /** Issued from /authorize (implicit or hybrid): many groups become `hasgroups`. */
  implicit?: boolean;
  /** c_hash / at_hash: only on ID tokens from /authorize next to a code / an access token. */
  code?: string | undefined;
  accessToken?: string | undefined;
  version: TokenVersion;
}

export async function idToken(ctx: IssuerContext, r: IdTokenRequest): Promise<string> {
  const { user } = r.session;
  const tid = ctx.tenant.id;
  const profile = r.oidc.has('profile');
  const optional = optionalUserClaims(optionalClaimNames(r.client.optionalClaims?.idToken), user, r.version);
  const head = { aud: r.client.appId, iss: issuerFor(ctx, r.version), ...timeClaims({ now: ctx.tenant.clock.nowSeconds(), lifetime: ID_TOKEN_LIFETIME }) };
  const { roles, groups } = rolesAndGroups(ctx, r.client, user, 'idToken', r.implicit ?? false);
  const common = {
    aio: aio(),
    at_hash: r.accessToken ? halfHash(r.accessToken) : undefined,
    c_hash: r.code ? halfHash(r.code) : undefined,
    name: profile ? user.displayName : undefined,
    nonce: r.nonce,
    oid: user.id,
    rh: rh(),
    roles,
    ...groups,
    sid: r.session.sid,
    sub: subjectFor(tid, r.client, user),
    tid,
    uti: uti(),
    ver: r.version,
    ...optional,
  };
  const claims =
    r.version === '2.0'
      ? sortedClaims(head, {
          ...common,
          email: r.oidc.has('email') && user.mail ? user.mail : (optional.email as string | undefined),
          preferred_username: profile ? user.userPrincipalName : undefined,
        })
      : sortedClaims(head, {
          ...common,
          amr: ['pwd'],
          family_name: user.surname ?? undefined,
          given_name: user.givenName ?? undefined,
          ipaddr: r.session.ipaddr,
          unique_name: user.userPrincipalName,
          upn: user.userPrincipalName,
        });
  return sign(ctx, r.version, claims, false, { target: 'id_token', clientId: r.client.appId, audienceApp: r.client.appId });
}

/**
 * `roles` (the user's app roles on `app`) and the group claims `app`'s manifest asks for; with the
 * `emit_as_roles` option the group ids join `roles`.
 */
function rolesAndGroups(
  ctx: IssuerContext,
  app: Application,
  user: User,
  kind: 'idToken' | 'accessToken',
  implicit: boolean,
): { roles: string[] | undefined; groups: Record<string, unknown> } {
  const appRoles = userRoleValues(ctx, app, user);
  const groups = groupClaims({ dir: ctx.tenant.directory, urls: ctx.urls, app, kind, user, implicit });
  const asRoles = Array.isArray(groups.roles) ? (groups.roles as string[]) : [];
  delete groups.roles;
  const roles = [...appRoles, ...asRoles];
  return { roles: roles.length > 0 ? roles : undefined, groups };
}

/** App roles assigned to the user (directly or through a group they are a direct member of) on the app. */
function userRoleValues(ctx: IssuerContext, app: Application, user: User): string[] {
  const dir = ctx.tenant.directory;
  const ids = new Set(dir.userAppRoleAssignments(user.id, app.appId).map((a) => a.appRoleId));
  if (ids.size === 0) return [];
  return dir
    .rolesOf(app)
    .filter((r) => r.allowedMemberTypes.includes('User') && ids.has(r.id.toLowerCase()))
    .map((r) => r.value);
}
