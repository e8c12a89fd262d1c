import type { FastifyReply } from 'fastify';
import type { EntraError } from './entra-error.js';
import { isGuid, newGuid } from '../support/ids.js';
import { renderErrorPage } from '../views/error-page.js';
import { errorPageHeaders } from '../views/page-headers.js';
import { escapeHtml as escapeAttr } from '../views/html.js';

/**
 * The ONE place that writes Entra's error answers to the wire. Three shapes:
 * token-endpoint JSON, authorize redirect, Microsoft's error page.
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */

export interface ErrorContext {
  /**
   * The mock's public origin. Entra's error_uri follows the host the client called
   * (login.windows.net vs login.microsoftonline.com); the mock has one public origin, so it uses it.
   */
  origin: string;
  /** Tenant clock, in ms. */
  now: number;
  /** The client-request-id the client sent, echoed as correlation_id. */
  correlationId?: string | undefined;
  /** Told the ids an answer shows, so the request log can find the request by them. */
  onIds?: ((ids: ErrorIds) => void) | undefined;
}

export interface ErrorIds {
  traceId: string;
  correlationId: string;
  timestamp: string;
}

/** `yyyy-MM-dd HH:mm:ssZ`, the form Entra uses in error bodies. */
export function entraTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function errorIds(ctx: ErrorContext): ErrorIds {
  const ids = {
    traceId: newGuid(),
    correlationId: ctx.correlationId && isGuid(ctx.correlationId) ? ctx.correlationId.toLowerCase() : newGuid(),
    timestamp: entraTimestamp(ctx.now),
  };
  ctx.onIds?.(ids);
  return ids;
}

/** What an error answer says: the AADSTS code, its OAuth `error`, and the text after "AADSTSnnnnn: ". */
interface ErrorFacts {
  code: number;
  error: string;
  detail: string;
  suberror?: string | undefined;
}

const factsOf = (err: EntraError): ErrorFacts => ({ code: err.code, error: err.entry.error, detail: err.detail, suberror: err.entry.suberror });

export function errorDescription(err: Pick<ErrorFacts, 'code' | 'detail'>, ids: ErrorIds): string {
  return `AADSTS${err.code}: ${err.detail}\r\nTrace ID: ${ids.traceId}\r\nCorrelation ID: ${ids.correlationId}\r\nTimestamp: ${ids.timestamp}`;
}

/** Entra's JSON error body, fields in the order Entra serves them. */
export function errorBody(err: EntraError, ctx: ErrorContext): Record<string, unknown> {
  return jsonBody(factsOf(err), ctx);
}

function jsonBody(facts: ErrorFacts, ctx: ErrorContext): Record<string, unknown> {
  const ids = errorIds(ctx);
  const body: Record<string, unknown> = {
    error: facts.error,
    error_description: errorDescription(facts, ids),
    error_codes: [facts.code],
    timestamp: ids.timestamp,
    trace_id: ids.traceId,
    correlation_id: ids.correlationId,
    error_uri: `${ctx.origin}/error?code=${facts.code}`,
  };
  if (facts.suberror) body.suberror = facts.suberror;
  return body;
}

export function sendErrorJson(reply: FastifyReply, err: EntraError, ctx: ErrorContext): FastifyReply {
  return reply
    .code(err.entry.status)
    .headers({
      'cache-control': 'no-store, no-cache',
      pragma: 'no-cache',
      expires: '-1',
      'content-type': 'application/json; charset=utf-8',
    })
    .send(JSON.stringify(errorBody(err, ctx)));
}

/**
 * .NET's HttpUtility.UrlEncode, which Entra's redirects use: `+` for spaces, lowercase `%xx`,
 * and `-_.!*()` left alone. (Capture: MicrosoftDocs/azure-docs#114009.)
 */
export function dotnetUrlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.!*()]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export type ResponseMode = 'query' | 'fragment' | 'form_post';

/** Parameters sent back to a redirect URI (success or error), in the chosen response_mode. */
export function sendToRedirectUri(reply: FastifyReply, redirectUri: string, mode: ResponseMode, params: Array<[string, string]>): FastifyReply {
  if (mode === 'form_post') {
    const inputs = params.map(([k, v]) => `<input type="hidden" name="${escapeAttr(k)}" value="${escapeAttr(v)}" />`).join('');
    // Entra's form_post page: an auto-submitting form (with a noscript button).
    const html = `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeAttr(redirectUri)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>`;
    return reply.code(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store, no-cache').send(html);
  }
  const encoded = params.map(([k, v]) => `${k}=${dotnetUrlEncode(v)}`).join('&');
  let location: string;
  if (mode === 'fragment') {
    location = `${redirectUri.split('#')[0]}#${encoded}`;
  } else {
    const [base, hash] = splitHash(redirectUri);
    location = `${base}${base.includes('?') ? '&' : '?'}${encoded}${hash}`;
  }
  return reply.code(302).header('location', location).header('cache-control', 'no-store, no-cache').send();
}

function splitHash(uri: string): [string, string] {
  const i = uri.indexOf('#');
  return i < 0 ? [uri, ''] : [uri.slice(0, i), uri.slice(i)];
}

/** Where an authorize request's answers go once its redirect URI is trusted. */
export interface RedirectTarget {
  redirectUri: string;
  mode: ResponseMode;
  state?: string | undefined;
}

export function sendErrorRedirect(reply: FastifyReply, err: EntraError, ctx: ErrorContext, target: RedirectTarget): FastifyReply {
  const ids = errorIds(ctx);
  const params: Array<[string, string]> = [
    ['error', err.entry.redirectError ?? err.entry.error],
    ['error_description', errorDescription(err, ids)],
    ['error_uri', `${ctx.origin}/error?code=${err.code}`],
  ];
  if (target.state !== undefined) params.push(['state', target.state]);
  return sendToRedirectUri(reply, target.redirectUri, target.mode, params);
}

/**
 * Microsoft's sign-in error page. Entra serves it with HTTP 200 (UNCONFIRMED: what a browser
 * shows is the page, not the status); the AADSTS code is also in the `x-ms-ests-error` header
 * — a mock-only aid for scripts, prefixed like Entra's own x-ms-* headers.
 */
export function sendErrorPage(reply: FastifyReply, err: EntraError, ctx: ErrorContext): FastifyReply {
  const ids = errorIds(ctx);
  // Never framed, no scripts (views/page-headers.ts).
  return errorPageHeaders(reply.code(200))
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store, no-cache')
    .header('x-ms-ests-error', String(err.code))
    .send(renderErrorPage({ code: err.code, message: err.detail, error: err.entry.error, ...ids }));
}

/**
 * Anything that is not an EntraError is a bug in the mock: answer like Entra's own outage
 * (server_error, AADSTS50000) without a stack trace or internal message.
 */
export function sendServerError(reply: FastifyReply, ctx: ErrorContext): FastifyReply {
  return reply
    .code(500)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store, no-cache')
    .send(JSON.stringify(jsonBody(SERVER_ERROR, ctx)));
}

/** Kept out of the catalog: no request can trigger it on purpose, so no test can list it. */
const SERVER_ERROR: ErrorFacts = {
  code: 50000,
  error: 'server_error',
  detail: 'There was an error issuing a token or an issue with our sign-in service.',
};
