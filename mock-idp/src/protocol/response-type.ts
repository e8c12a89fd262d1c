import type { Application } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import type { ResponseMode } from '../errors/render.js';

/**
 * response_type and response_mode at /authorize. ID tokens and access tokens from the authorize
 * endpoint (implicit and hybrid flows) need the app's "ID tokens" / "Access tokens" switches.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-implicit-grant-flow
 */

export interface ResponseType {
  code: boolean;
  idToken: boolean;
  token: boolean;
}

const KNOWN = new Set(['code', 'id_token', 'token']);

/** The response type's syntax: missing (AADSTS900144) or a value Entra does not know (AADSTS900061). */
export function parseResponseType(value: string | undefined): ResponseType {
  if (value === undefined) throw new EntraError(900144, { name: 'response_type' });
  const parts = value.split(' ').filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !KNOWN.has(p)) || new Set(parts).size !== parts.length) throw new EntraError(900061);
  return { code: parts.includes('code'), idToken: parts.includes('id_token'), token: parts.includes('token') };
}

/**
 * Tokens from /authorize need the app's implicit-grant switches: AADSTS700054 for an ID token,
 * AADSTS700051 for an access token (the code MSAL.js users see on the wire; the reference's
 * older AADSTS70005 has the same text). Where the refusal goes is the caller's: back to a
 * registered redirect URI, the error page otherwise (docs/entra-wire.md §12).
 */
export function refuseDisabledResponseType(rt: ResponseType, app: Application): void {
  const implicit = app.web?.implicitGrantSettings;
  if (rt.idToken && !implicit?.enableIdTokenIssuance) throw new EntraError(700054);
  if (rt.token && !implicit?.enableAccessTokenIssuance) throw new EntraError(700051);
}

/** query for a bare code; fragment as soon as a token travels in the response (never in a query). */
export function responseModeFor(value: string | undefined, rt: ResponseType): ResponseMode {
  if (value === 'form_post' || value === 'fragment') return value;
  if (value === 'query' && !rt.idToken && !rt.token) return 'query';
  return rt.idToken || rt.token ? 'fragment' : 'query';
}
