import type { PkceMethod } from '../protocol/pkce.js';
import type { RedirectPlatform } from '../protocol/redirect-uri.js';

/** What an authorization code stands for, kept in the ShortLivedStore until redeemed or expired. */
export interface AuthorizationCodeRecord {
  tenantId: string;
  clientId: string;
  /** Exactly as sent to /authorize; /token must send the same. */
  redirectUri: string;
  platform: RedirectPlatform;
  userId: string;
  sid: string;
  authTime: number;
  ipaddr?: string | undefined;
  /** The scope parameter as requested at /authorize. */
  scope: string;
  nonce?: string | undefined;
  pkce?: { challenge: string; method: PkceMethod } | undefined;
  /** Tenant clock, ms. */
  issuedAt: number;
}

/** Authorization codes live 10 minutes (v2-oauth2-auth-code-flow). */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;

/** A refresh token's content; the token itself is this, sealed (keys/sealing.ts). */
export interface RefreshTokenRecord {
  tid: string;
  cid: string;
  uid: string;
  sid: string;
  authTime: number;
  scope: string;
  platform: RedirectPlatform | 'none';
  /** When this token was issued (tenant ms): 90 days of inactivity from here. */
  iat: number;
  /** When the chain began (first sign-in, tenant ms): SPA tokens die 24 h after it. */
  chainStart: number;
  ipaddr?: string | undefined;
}

export const RT_INACTIVITY_MS = 90 * 24 * 3600 * 1000;
export const SPA_RT_LIFETIME_MS = 24 * 3600 * 1000;
export const REFRESH_TOKEN_PURPOSE = 'refresh-token';
