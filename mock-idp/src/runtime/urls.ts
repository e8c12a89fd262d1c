/**
 * The URLs the mock hands out. `login` is where the Entra endpoints live (authorize, token,
 * discovery); `graph` where Microsoft Graph lives; `aadGraph` where Azure AD Graph lives (the
 * groups-overage pointer). Without impersonation all are the mock's public URL. Impersonating
 * (impersonation/request-urls.ts), they are Microsoft's own per request — the Host a client used —
 * and the issuers follow the tenant's cloud.
 */

export interface PublicUrls {
  login: string;
  graph: string;
  aadGraph: string;
  /** Origin of v2 issuers (`https://login.microsoftonline.com/{tid}/v2.0`). */
  v2Issuer: string;
  /** Origin of v1 issuers (`https://sts.windows.net/{tid}/`). */
  v1Issuer: string;
}

/** The same origin for every surface: the mock as itself. */
export const singleOrigin = (origin: string, v1IssuerOrigin: string): PublicUrls => ({
  login: origin,
  graph: origin,
  aadGraph: origin,
  v2Issuer: origin,
  v1Issuer: v1IssuerOrigin,
});

export const v2Issuer = (u: PublicUrls, tenantSegment: string): string => `${u.v2Issuer}/${tenantSegment}/v2.0`;
export const v1Issuer = (u: PublicUrls, tid: string): string => `${u.v1Issuer}/${tid}/`;
export const graphHost = (u: PublicUrls): string => new URL(u.graph).host;
