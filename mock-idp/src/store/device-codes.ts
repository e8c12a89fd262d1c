import { randomInt } from 'node:crypto';
import type { Sealer } from '../keys/sealing.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { opaque } from '../support/ids.js';
import type { ShortLivedStore } from './short-lived-store.js';

/**
 * Device codes (RFC 8628 as Entra serves it): minted at /oauth2/v2.0/devicecode with a short
 * user code, approved or declined on the device sign-in page, polled for at /token. This module
 * alone knows the device code's format (a sealed stamp, so that a code no longer kept still
 * answers "expired") and the keys its record and user code are kept under.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
 */

/** Where the user is in the flow; the token endpoint answers by it. */
export type DeviceCodeState = 'pending' | 'approved' | 'declined';

/** What a device code stands for, kept until redeemed, expired or pushed out by the per-tenant cap. */
export interface DeviceCodeRecord {
  tenantId: string;
  incarnation: string;
  clientId: string;
  /** The scope as requested (v1: built from `resource`). */
  scope: string;
  userCode: string;
  state: DeviceCodeState;
  /** Tenant clock, ms. */
  issuedAt: number;
  expiresAt: number;
  /** Set when the user signs in and approves. */
  userId?: string | undefined;
  sid?: string | undefined;
  authTime?: number | undefined;
  ipaddr?: string | undefined;
}

/** Entra's device codes live 15 minutes (expires_in 900; docs/entra-wire.md, MSAL's DeviceCodeResponse test fixture). */
export const DEVICE_CODE_LIFETIME_S = 900;
/** The polling interval Entra sends (MSAL's test fixture: 5). */
export const DEVICE_CODE_INTERVAL_S = 5;
/**
 * Pending device codes kept per tenant, like authorization codes (store/codes.ts): past it the
 * oldest is dropped and polling for it answers expired_token. UNCONFIRMED: Entra's limit is not documented.
 */
export const MAX_PENDING_DEVICE_CODES_PER_TENANT = 1000;

const LIFETIME_MS = DEVICE_CODE_LIFETIME_S * 1000;
/** Real-time backstop a little past the lifetime; expiry itself is checked on the tenant clock. */
const BACKSTOP_MS = LIFETIME_MS + 5 * 60 * 1000;

/**
 * User codes: nine characters of capitals and digits, as Entra's ("FRWQDE7YL", "BPPVYQZMA" in
 * MSAL's fixtures and Azure/azure-sdk-for-python #32375). Without 0, O, 1 and I, which a person
 * copying from a terminal confuses (UNCONFIRMED whether Entra leaves them out).
 */
const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const USER_CODE_LENGTH = 9;

/** Device codes begin like Entra's (`DAQABIQEAAAD…` in captures); the rest is a sealed stamp. */
const PREFIX = 'DAQABIQEAAAD';
const PURPOSE = 'device-code';

interface DeviceStamp {
  /** tenant id */
  t: string;
  /** incarnation */
  i: string;
  /** random, so that two codes never look alike */
  r: string;
}

const recordKey = (tenant: TenantRuntime, deviceCode: string): string => `device:${tenant.id}:${deviceCode}`;
/** User codes are typed on /common's page, before any tenant is known: one namespace for all tenants. */
const userCodeKey = (userCode: string): string => `usercode:${userCode}`;

/** What the sign-in page finds under a user code. */
interface UserCodeEntry {
  tenantId: string;
  deviceCode: string;
}

export interface MintedDeviceCode {
  deviceCode: string;
  userCode: string;
  record: DeviceCodeRecord;
}

/** Mints a device code and its user code for `clientId` asking for `scope`. */
export async function mintDeviceCode(
  store: ShortLivedStore,
  sealer: Sealer,
  tenant: TenantRuntime,
  clientId: string,
  scope: string,
): Promise<MintedDeviceCode> {
  const now = tenant.now();
  const stamp: DeviceStamp = { t: tenant.id, i: tenant.incarnation, r: opaque(16) };
  const deviceCode = `${PREFIX}${sealer.seal(stamp, PURPOSE)}`;
  let userCode = newUserCode();
  // 32^9 codes: a collision is all but impossible, but a live one must never be handed out twice.
  while ((await store.get(userCodeKey(userCode))) !== undefined) userCode = newUserCode();
  const record: DeviceCodeRecord = {
    tenantId: tenant.id,
    incarnation: tenant.incarnation,
    clientId: clientId.toLowerCase(),
    scope,
    userCode,
    state: 'pending',
    issuedAt: now,
    expiresAt: now + LIFETIME_MS,
  };
  const cap = { max: MAX_PENDING_DEVICE_CODES_PER_TENANT };
  await store.put(recordKey(tenant, deviceCode), record, BACKSTOP_MS, { ...cap, group: `device:${tenant.id}:${tenant.incarnation}` });
  const entry: UserCodeEntry = { tenantId: tenant.id, deviceCode };
  await store.put(userCodeKey(userCode), entry, BACKSTOP_MS, { ...cap, group: `usercode:${tenant.id}:${tenant.incarnation}` });
  return { deviceCode, userCode, record };
}

function newUserCode(): string {
  let s = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return s;
}

/** A typed user code as the page compares it: capitals, without spaces or dashes. */
export const normalizeUserCode = (typed: string): string => typed.replace(/[\s-]/g, '').toUpperCase();

/** The device code a user code stands for, with its tenant id; undefined when unknown or malformed. */
export async function findUserCode(store: ShortLivedStore, typed: string): Promise<UserCodeEntry | undefined> {
  const code = normalizeUserCode(typed);
  if (!/^[A-Z0-9]{1,32}$/.test(code)) return undefined;
  return store.get<UserCodeEntry>(userCodeKey(code));
}

/** The record of a device code this tenant (in its present incarnation) still holds. */
export async function findDeviceCode(store: ShortLivedStore, tenant: TenantRuntime, deviceCode: string): Promise<DeviceCodeRecord | undefined> {
  if (deviceCode.length > 4096) return undefined;
  const record = await store.get<DeviceCodeRecord>(recordKey(tenant, deviceCode));
  return record?.incarnation === tenant.incarnation ? record : undefined;
}

/** Whether the code's own stamp says this tenant issued it in its present life (it may no longer be kept). */
export function deviceCodeIssuedHere(sealer: Sealer, tenant: TenantRuntime, deviceCode: string): boolean {
  const stamp = deviceCode.startsWith(PREFIX) ? sealer.unseal<DeviceStamp>(deviceCode.slice(PREFIX.length), PURPOSE) : undefined;
  return stamp?.t === tenant.id && stamp.i === tenant.incarnation;
}

/**
 * Records the user's answer on the page (approved with who signed in, or declined). Only a
 * pending code changes: a second answer, or one after expiry, leaves it as it is (false).
 */
export async function answerDeviceCode(
  store: ShortLivedStore,
  tenant: TenantRuntime,
  deviceCode: string,
  answer: { state: 'declined' } | { state: 'approved'; userId: string; sid: string; authTime: number; ipaddr?: string | undefined },
): Promise<boolean> {
  const record = await findDeviceCode(store, tenant, deviceCode);
  if (!record || record.state !== 'pending' || record.expiresAt <= tenant.now()) return false;
  const updated: DeviceCodeRecord = { ...record, ...answer };
  // Same key and group: the cap's order moves it to the newest, which is harmless.
  await store.put(recordKey(tenant, deviceCode), updated, BACKSTOP_MS, {
    group: `device:${tenant.id}:${tenant.incarnation}`,
    max: MAX_PENDING_DEVICE_CODES_PER_TENANT,
  });
  await store.delete(userCodeKey(record.userCode));
  return true;
}

/** Marks the device code redeemed; true for the one poll that redeemed it first (atomic in the store). */
export async function consumeDeviceCode(store: ShortLivedStore, tenant: TenantRuntime, deviceCode: string): Promise<boolean> {
  const used = await store.consume<DeviceCodeRecord>(recordKey(tenant, deviceCode));
  return used?.firstUse === true;
}
