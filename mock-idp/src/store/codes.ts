import type { RedirectPlatform } from '../directory/model.js';
import type { Sealer } from '../keys/sealing.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { opaque } from '../support/ids.js';
import type { ShortLivedStore } from './short-lived-store.js';

/**
 * Authorization codes: minted at /authorize, redeemed once at /token. This module alone knows the
 * code's format (`1.A` + a sealed stamp) and the key it is kept under, so that the two endpoints
 * cannot drift apart.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 */

/** The PKCE challenge a code was issued with; protocol/pkce.ts checks the verifier against it. */
export interface PkceChallenge {
  challenge: string;
  method: 'S256' | 'plain';
}

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
  pkce?: PkceChallenge | undefined;
  /** Tenant clock, ms. */
  issuedAt: number;
}

/** What /authorize grants with a code; the tenant's part of the record is filled in here. */
export type CodeGrant = Omit<AuthorizationCodeRecord, 'tenantId' | 'incarnation' | 'issuedAt'>;

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

/** Real-time backstop a little past the protocol lifetime, so an expired code still answers 70008. */
const BACKSTOP_MS = CODE_LIFETIME_MS + 5 * 60 * 1000;

/** What the code string itself says (sealed): enough to answer 70008 for a code no longer kept. */
interface CodeStamp {
  /** tenant id */
  t: string;
  /** incarnation */
  i: string;
  /** issued at, tenant ms */
  n: number;
  /** random, so that two codes never look alike */
  r: string;
}
const CODE_PURPOSE = 'authorization-code';
const PREFIX = '1.A';

const keyOf = (tenant: TenantRuntime, code: string): string => `code:${tenant.id}:${code}`;

/** Mints a code for `grant` and keeps its record (capped per tenant and incarnation). */
export async function mintCode(store: ShortLivedStore, sealer: Sealer, tenant: TenantRuntime, grant: CodeGrant): Promise<string> {
  const now = tenant.now();
  const stamp: CodeStamp = { t: tenant.id, i: tenant.incarnation, n: now, r: opaque(16) };
  const code = `${PREFIX}${sealer.seal(stamp, CODE_PURPOSE)}`;
  const record: AuthorizationCodeRecord = { tenantId: tenant.id, incarnation: tenant.incarnation, ...grant, issuedAt: now };
  await store.put(keyOf(tenant, code), record, BACKSTOP_MS, { group: `code:${tenant.id}:${tenant.incarnation}`, max: MAX_PENDING_CODES_PER_TENANT });
  return code;
}

/** The record of a code this tenant (in its present incarnation) still holds. */
export async function findCode(store: ShortLivedStore, tenant: TenantRuntime, code: string): Promise<AuthorizationCodeRecord | undefined> {
  const record = await store.get<AuthorizationCodeRecord>(keyOf(tenant, code));
  return record?.incarnation === tenant.incarnation ? record : undefined;
}

/** Whether the code's own stamp says this tenant issued it in its present life (it may no longer be kept). */
export function issuedHere(sealer: Sealer, tenant: TenantRuntime, code: string): boolean {
  const stamp = code.startsWith(PREFIX) ? sealer.unseal<CodeStamp>(code.slice(PREFIX.length), CODE_PURPOSE) : undefined;
  return stamp?.t === tenant.id && stamp.i === tenant.incarnation;
}

/** Marks the code used; true for the one redemption that used it first (atomic in the store). */
export async function consumeCode(store: ShortLivedStore, tenant: TenantRuntime, code: string): Promise<boolean> {
  const used = await store.consume<AuthorizationCodeRecord>(keyOf(tenant, code));
  return used?.firstUse === true;
}

/** The tenant a code's own stamp names (a multi-tenant app's code from /organizations may be another tenant's). */
export function codeTenantId(sealer: Sealer, code: string): string | undefined {
  return code.startsWith(PREFIX) ? sealer.unseal<CodeStamp>(code.slice(PREFIX.length), CODE_PURPOSE)?.t : undefined;
}
