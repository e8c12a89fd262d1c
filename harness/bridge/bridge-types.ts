import type { FetchLike } from '../../mock-idp/src/testing.js';
import type { BridgeError } from './bridge-error.js';

/**
 * The reference relying party's configuration and state, as types of their own: the bridge
 * (index.ts) and its pages (html.ts) both use them, and neither imports the other for them.
 */

/** What the bridge is told: the settings of PingOne's "Connect to Azure" form, and test additions. */
export interface BridgeConfig {
  /** The "OpenID Connect metadata document" URL (seed step 7), e.g. `${mockUrl}/${tenantId}/v2.0/.well-known/openid-configuration`. */
  discoveryUrl: string;
  clientId: string;
  /** Seed step 6 pastes the client ID here by mistake: Entra then answers AADSTS7000215. */
  clientSecret: string;
  /** Default `['openid', 'profile', 'email']`; with groupSync, Graph's `User.Read` is requested as well. */
  scopes?: string[];
  /** The per-account verification code in the redirect URI (seed step 14), e.g. 'vc-5f2a9c'. */
  verificationCode: string;
  /** Default `http://localhost:${port}/sso/callback/${verificationCode}`. */
  redirectUri?: string;
  /** Bridge attribute ← Entra claim. Default `{ subject: 'oid', username: 'preferred_username', email: 'email', name: 'name' }`. */
  attributeMapping?: Record<string, string>;
  /**
   * Default true. On: groups are provisioned at sign-in (from the `groups` claim, or Graph on
   * overage) and `syncGroups()` may run. Off: users are provisioned without groups
   * (groupSource 'none') and `syncGroups()` records an error instead of calling Graph.
   */
  groupSync?: boolean;
  /** PEM of the mock's CA when the mock is HTTPS. */
  ca?: string;
  /** The mock serves plain HTTP (openid-client's `allowInsecureRequests`). */
  allowInsecureRequests?: boolean;
  /** Default 0 (a free port); the bridge listens on 127.0.0.1 and names itself http://localhost:<port>. Fixed after start. */
  port?: number;
  /**
   * Addition: Microsoft Graph's base URL. Default: `msgraph_host` of the discovery document,
   * with the discovery URL's scheme, + `/v1.0` (https://graph.microsoft.com/v1.0 for Entra).
   */
  graphUrl?: string;
  /** Addition: the HTTP function openid-client uses (default `trustingFetch(ca)`); for test stand-ins and proxies. */
  fetch?: FetchLike;
  /**
   * Addition: how the sign-in asks Entra. `code` (default): the authorization code flow,
   * `response_mode=query`. `code id_token`: the hybrid flow (OIDC Core 3.3), `response_mode=form_post`
   * (Entra sends an ID token through the front channel only by form post or fragment); the app
   * registration must allow ID tokens from /authorize (`implicitGrantSettings.enableIdTokenIssuance`,
   * otherwise AADSTS700054). openid-client then verifies the front-channel ID token — signature,
   * claims and `c_hash` (3.3.2.11) — before it redeems the code.
   */
  responseType?: 'code' | 'code id_token';
  /**
   * Addition: after the ID token, read the user's claims from the UserInfo endpoint with the access
   * token, and refuse the answer whose `sub` is not the ID token's (OIDC Core 5.3.2: it MUST be
   * verified to exactly match). Default false (PingOne's bridge maps ID token claims only).
   */
  userinfo?: boolean;
  /**
   * Addition: how a group overage (the ID token names a claim source instead of its groups) is
   * resolved in Microsoft Graph. `delegated` (default): `/me/transitiveMemberOf` with the access
   * token of the sign-in (Graph's User.Read is enough for oneself). `app-only`: the bridge's own
   * client-credentials token on `/users/{oid}/transitiveMemberOf` — as an identity bridge that
   * already holds Group.Read.All for its sync does; it needs that application permission
   * admin-consented (else Graph answers 403 Authorization_RequestDenied).
   * https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference#groups-overage-claim
   */
  overageLookup?: 'delegated' | 'app-only';
  /**
   * Addition: what the browser session cookie (`bridge_session`, read by GET /me) holds. `id`
   * (default): a random session id, the user kept in memory. `claims`: the user's subject and
   * groups — a cookie that outgrows what browsers store with hundreds of groups (browser-session.ts).
   */
  sessionCookie?: 'id' | 'claims';
  /**
   * Addition: also tie a sign-in to the browser that started it with a cookie (`bridge_state`,
   * HttpOnly, SameSite=Lax) set by /login and required at the callback — as web frameworks do
   * (ASP.NET Core's correlation cookie, express-openid-connect's auth_verification). A browser
   * sends no SameSite=Lax cookie with a cross-site POST, so a form_post callback from Entra's site
   * arrives without it: `state_cookie_missing` (https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.6.7.1).
   * Default false: the bridge finds its sign-ins by `state` alone.
   */
  stateCookie?: boolean;
  /**
   * Addition: a multi-tenant relying party's tenant allow-list (tenant ids). With a discovery URL on
   * /organizations or /common (issuer `…/{tenantid}/v2.0`), each ID token's `iss` must be that
   * template filled with the token's own `tid` (tenant-allow-list.ts); with any discovery URL, a
   * `tid` not listed is refused (`tenant_not_allowed`, phase id_token). Default: no list — the
   * issuer of the discovery document decides, as for one tenant.
   * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
   */
  allowedTenants?: string[];
  /**
   * Addition: a hard-coded issuer check after the library's, as relying parties with a hand-written
   * issuer check have: the ID token's `iss` must match this regular expression (its source), else
   * the sign-in is refused (`invalid_issuer`, phase id_token). E.g.
   * `^https://login\.microsoftonline\.com/[^/]+/v2\.0$`, which every national cloud's issuer fails
   * (https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud). Default:
   * none — the discovery document's issuer decides.
   */
  issuerPattern?: string;
}

export interface BridgeUser {
  subject: string;
  attributes: Record<string, string | null>;
  groups: string[];
  groupSource: 'claim' | 'graph-overage' | 'none';
  provisionedAt: string;
  lastLoginAt: string;
}

/** Keyed by Azure group id; members = Azure object ids (direct members, as Graph lists them). */
export interface BridgeGroup {
  id: string;
  displayName: string;
  members: string[];
}

export interface BridgeSync {
  at: string;
  /** Groups synchronized (on failure: groups listed before it; the bridge's groups are left as they were). */
  groups: number;
  /** Pages of the `/groups` listing. */
  pages: number;
  /** Graph requests retried after 429/503. */
  retries: number;
  ok: boolean;
  /** Addition: Graph requests sent in this sync, retries included. */
  requests: number;
  /** Addition: why it failed. */
  error?: BridgeError;
}

/**
 * A signed-in user's token session: kept when Entra returned a refresh token (scope `offline_access`),
 * with the original ID token's `iss` and `sub`, which every refreshed ID token must repeat (OIDC
 * Core 12.2). The tokens themselves are never shown.
 */
export interface BridgeSession {
  /** The bridge user's subject (the attribute mapping's `subject`). */
  subject: string;
  /** `iss` and `sub` of the ID token of the sign-in. */
  iss: string;
  sub: string;
  /** Successful refreshes so far. */
  refreshes: number;
  signedInAt: string;
  lastRefreshAt?: string;
}

/** The outcome of one refresh (`refresh(subject)`, `POST /api/users/:subject/refresh`). */
export interface BridgeRefresh {
  at: string;
  subject: string;
  ok: boolean;
  /** The refresh response carried an ID token (and it was checked). */
  idToken?: boolean;
  /** Why it was refused; the session is then ended (the user must sign in again). */
  error?: BridgeError;
}

export type BridgeVerification = { ok: true; scopesSupported: string[]; issuer: string } | { ok: false; error: BridgeError };

export interface BridgeStatus {
  /** The effective configuration (defaults filled in), without the secret, the CA and the fetch. */
  config: Omit<BridgeConfig, 'clientSecret' | 'ca' | 'fetch'>;
  /** Addition: the scopes the authorize request asks for (config scopes, plus User.Read with groupSync). */
  requestedScopes: string[];
  verified?: BridgeVerification;
  users: BridgeUser[];
  groups: BridgeGroup[];
  lastSync?: BridgeSync;
  /** Addition: the users whose tokens the bridge can refresh (signed in with `offline_access`). */
  sessions: BridgeSession[];
  /** Addition: the last refresh, when there was one. */
  lastRefresh?: BridgeRefresh;
  lastError?: BridgeError;
  /** Every error, oldest first (the last 200). */
  errors: BridgeError[];
}
