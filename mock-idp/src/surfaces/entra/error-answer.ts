import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorContext, type MockContext } from '../../context.js';
import { EntraError, isEntraError } from '../../errors/entra-error.js';
import { sendErrorJson, sendErrorPage, sendErrorRedirect, sendServerError, type RedirectTarget } from '../../errors/render.js';

/**
 * How the Entra surface answers a refusal, in one place (the plugin's error handler): routes
 * throw `EntraError` and say beforehand which of Entra's three answers applies to them —
 * token-endpoint JSON (the default: token endpoint, metadata documents), Microsoft's error page
 * (authorize before its redirect URI is trusted, logout), or a redirect back to the client
 * (authorize once the redirect URI is trusted, for the errors Entra redirects).
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */

export type ErrorAnswer = { kind: 'json' } | { kind: 'page' } | { kind: 'redirect'; target: RedirectTarget };

export const PAGE_ANSWER: ErrorAnswer = { kind: 'page' };
const JSON_ANSWER: ErrorAnswer = { kind: 'json' };

/**
 * The answer each request chose, kept beside the request rather than as a request decoration: a
 * decoration's type would be declared on every surface's requests, and only Entra's have one.
 */
const answers = new WeakMap<FastifyRequest, ErrorAnswer>();

/** Says how this request's refusals are answered from here on. */
export function answerErrorsWith(request: FastifyRequest, answer: ErrorAnswer): void {
  answers.set(request, answer);
}

/** The Entra plugin's error handler. Anything but an EntraError or a refused request is a bug: server_error, logged. */
export function handleEntraError(ctx: MockContext, error: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isEntraError(error)) return sendEntraError(ctx, error, request, reply);
  const status = (error as FastifyError).statusCode;
  // Fastify's own refusals of a request it could not read (a body over the limit, a bad
  // content-length): Entra's JSON, always a 400 (never Fastify's 413 page).
  if (status !== undefined && status < 500) {
    const e = new EntraError(90100, { name: 'request body' });
    request.notes.aadsts = e.code;
    return sendErrorJson(reply, e, errorContext(ctx, request, request.notes.tenant));
  }
  request.log.error({ err: error }, 'unexpected error');
  return sendServerError(reply, errorContext(ctx, request, request.notes.tenant));
}

function sendEntraError(ctx: MockContext, e: EntraError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = answers.get(request) ?? JSON_ANSWER;
  const ectx = errorContext(ctx, request, request.notes.tenant);
  request.notes.aadsts = e.code;
  if (answer.kind === 'json') {
    request.notes.error = e.entry.error;
    return sendErrorJson(reply, e, ectx);
  }
  request.notes.error = e.entry.redirectError ?? e.entry.error;
  // Some refusals are never redirected, even to a trusted redirect URI (the catalog's `surfaces`).
  if (answer.kind === 'redirect' && e.entry.surfaces.includes('redirect')) return sendErrorRedirect(reply, e, ectx, answer.target);
  return sendErrorPage(reply, e, ectx);
}
