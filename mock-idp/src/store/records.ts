import type { RedirectPlatform } from '../directory/model.js';

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
