import { EntraError } from '../errors/entra-error.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import type { ShortLivedStore } from '../store/short-lived-store.js';
import type { Params } from './params.js';
import { opaque } from '../support/ids.js';

/**
 * The one-time token of an interactive page (sign-in, password, consent), rendered into the page
 * as a hidden field and consumed when the page is posted back — like the `flowToken` hidden field
 * of Entra's own sign-in pages, whose name it borrows. A page on another site cannot read it, so a
 * cross-site form POST to /authorize (the ESTSAUTH cookie is SameSite=None) can neither sign the
 * browser in nor give consent in its user's name.
 *
 * Kept server-side per tenant (capped, so rendering the page in a loop cannot grow the heap) and
 * bound to the tenant's incarnation, the client, the page kind and, for consent, the SSO session
 * (sid) the page was shown for.
 */

export const PAGE_TOKEN_FIELD = 'flowToken';
/** UNCONFIRMED: Entra's flow token lifetime is not documented; a quarter of an hour on the tenant clock. */
export const PAGE_TOKEN_LIFETIME_MS = 15 * 60 * 1000;
/** Page tokens held per tenant; past it the oldest page shown answers AADSTS50089 when posted. */
export const MAX_PAGE_TOKENS_PER_TENANT = 1000;
/** Real-time backstop a little past the lifetime; the lifetime itself is checked on the tenant clock. */
const BACKSTOP_MS = PAGE_TOKEN_LIFETIME_MS + 5 * 60 * 1000;

export type PageKind = 'login' | 'consent';

export interface PageBinding {
  kind: PageKind;
  clientId: string;
  /** consent: the SSO session the page asks for. */
  sid?: string | undefined;
}

interface PageTokenRecord extends PageBinding {
  incarnation: string;
  /** Tenant clock, ms. */
  issuedAt: number;
}

const keyOf = (tenant: TenantRuntime, token: string): string => `page:${tenant.id}:${token}`;

export async function issuePageToken(store: ShortLivedStore, tenant: TenantRuntime, binding: PageBinding): Promise<string> {
  const token = opaque(32);
  const record: PageTokenRecord = { ...binding, clientId: binding.clientId.toLowerCase(), incarnation: tenant.incarnation, issuedAt: tenant.now() };
  await store.put(keyOf(tenant, token), record, BACKSTOP_MS, { group: `page:${tenant.id}`, max: MAX_PAGE_TOKENS_PER_TENANT });
  return token;
}

/**
 * Consumes the page token a form carried; the binding it was issued with. Missing, unknown,
 * used, expired, or issued for another page, client or tenant: AADSTS50089, Entra's answer to a
 * sign-in form whose flow token has expired (UNCONFIRMED that Entra uses it for every one of
 * these cases).
 */
export async function redeemPageToken(
  store: ShortLivedStore,
  tenant: TenantRuntime,
  token: string | undefined,
  expected: { kind: PageKind; clientId: string },
): Promise<PageBinding> {
  if (token === undefined || !/^[\w-]{1,64}$/.test(token)) throw new EntraError(50089);
  const used = await store.consume<PageTokenRecord>(keyOf(tenant, token));
  const r = used?.value;
  if (!used?.firstUse || !r) throw new EntraError(50089);
  if (r.incarnation !== tenant.incarnation || r.kind !== expected.kind || r.clientId !== expected.clientId.toLowerCase()) throw new EntraError(50089);
  if (r.issuedAt + PAGE_TOKEN_LIFETIME_MS <= tenant.now()) throw new EntraError(50089);
  return { kind: r.kind, clientId: r.clientId, sid: r.sid };
}

/**
 * The pages' answers (`mock_action`) are form submissions: a link or an <img> on another site,
 * which can only send a GET, must not act as one (AADSTS900561).
 */
export function refusePageAnswerByGet(method: string, params: Params): void {
  if (method !== 'POST' && params.has('mock_action')) throw new EntraError(900561, { method });
}
