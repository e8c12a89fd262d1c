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
  lastError?: BridgeError;
  /** Every error, oldest first (the last 200). */
  errors: BridgeError[];
}
