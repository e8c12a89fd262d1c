import type { PkceMethod } from '../protocol/pkce.js';
import type { RedirectPlatform } from '../protocol/redirect-uri.js';

/** What an authorization code stands for, kept in the ShortLivedStore until redeemed or expired. */
export interface AuthorizationCodeRecord {
  tenantId: string;
  /** The tenant's incarnation (runtime/tenant-runtime.ts): a recreated tenant does not redeem it. */
  incarnation: string;
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

/**
 * Pending (and recently redeemed) authorization codes kept per tenant. Past it the oldest code
 * is dropped, and redeeming it answers like an expired code (AADSTS70008). A sign-in redeems its
 * code within seconds, so only a client that collects codes without redeeming them notices.
 * Without the cap, 6,000 codes carrying an 8 KiB nonce held 65 MiB for 15 minutes.
 * (Entra's own limit is not documented: UNCONFIRMED.)
 */
export const MAX_PENDING_CODES_PER_TENANT = 1000;

/** What the code string itself says (sealed): enough to answer 70008 for a code no longer kept. */
export interface CodeStamp {
  /** tenant id */
  t: string;
  /** incarnation */
  i: string;
  /** issued at, tenant ms */
  n: number;
  /** random, so that two codes never look alike */
  r: string;
}
export const CODE_PURPOSE = 'authorization-code';

/** A refresh token's content; the token itself is this, sealed (keys/sealing.ts). */
export interface RefreshTokenRecord {
  tid: string;
  /** The tenant's incarnation; absent in tokens sealed before incarnations existed (= the boot one). */
  inc?: string | undefined;
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
