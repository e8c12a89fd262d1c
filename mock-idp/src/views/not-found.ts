import type { FastifyReply } from 'fastify';
import { html, page } from './html.js';

/**
 * The plain 404 page, for paths outside any `{tenant}` (under a tenant, the Entra surface answers
 * in Entra's JSON: surfaces/entra/unknown-path.ts); ours names the path (escaped) to help.
 */
export function sendNotFound(reply: FastifyReply, method: string, url: string): FastifyReply {
  return reply
    .code(404)
    .header('content-type', 'text/html; charset=utf-8')
    .send(
      page(
        'Not found',
        html`<h1>404 — not found</h1>
          <p>No Entra or Graph endpoint answers <code>${method} ${url.slice(0, 300)}</code> here.</p>`,
      ),
    );
}
