/**
 * The URLs the mock hands out. `login` is where the Entra endpoints live (issuers, discovery,
 * authorize, token); `graph` is where the Microsoft Graph surface lives. Both are the mock's
 * public URL today; the split exists so a later mode can present Microsoft's own hosts
 * (https://login.microsoftonline.com, https://graph.microsoft.com) without touching callers.
 */

export interface PublicUrls {
  login: string;
  graph: string;
  /** Origin of v1 issuers (`https://sts.windows.net/{tid}/`). */
  v1Issuer: string;
}

export const v2Issuer = (u: PublicUrls, tenantSegment: string): string => `${u.login}/${tenantSegment}/v2.0`;
export const v1Issuer = (u: PublicUrls, tid: string): string => `${u.v1Issuer}/${tid}/`;
export const graphHost = (u: PublicUrls): string => new URL(u.graph).host;
