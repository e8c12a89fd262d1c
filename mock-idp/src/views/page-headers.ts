import type { FastifyReply } from 'fastify';
import { STYLE_HASH } from './html.js';

/**
 * Headers of the pages a user acts on (sign-in, password, consent, error, signed-out): never
 * framed by another site (X-Frame-Options for older browsers, frame-ancestors for the rest), no
 * scripts, nothing loaded from elsewhere. Redirects and the form_post answer are not pages of
 * this kind and get none of it: silent renewal in a hidden iframe (prompt=none) is answered by
 * a redirect, and the form_post page posts to the app with its own script.
 * https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy
 */

const BASE = `default-src 'none'; style-src ${STYLE_HASH}; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'`;

function send(reply: FastifyReply, csp: string): FastifyReply {
  return reply.header('x-frame-options', 'DENY').header('content-security-policy', csp).header('x-content-type-options', 'nosniff');
}

/**
 * The sign-in and consent pages post to this origin, and the answer redirects to the app's
 * redirect URI — browsers check form-action along that redirect too, so the redirect URI's
 * origin (or, for a custom-scheme redirect of a native app, its scheme) is allowed as well.
 */
export function interactivePageHeaders(reply: FastifyReply, redirectUri: string): FastifyReply {
  return send(reply, `${BASE}; form-action 'self' ${formTarget(redirectUri)}`.trimEnd());
}

/** The error page has no form. */
export function errorPageHeaders(reply: FastifyReply): FastifyReply {
  return send(reply, `${BASE}; form-action 'none'`);
}

/** The signed-out page may frame the apps' front-channel logout URLs, never be framed itself. */
export function signedOutPageHeaders(reply: FastifyReply): FastifyReply {
  return send(reply, `${BASE}; frame-src http: https:; form-action 'none'`);
}

/** A CSP source for the redirect URI: its origin (http/https) or its scheme; '' when it has neither. */
function formTarget(redirectUri: string): string {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return '';
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : '';
}
