import type { FastifyRequest } from 'fastify';

/** The query string as sent (Fastify's parser would merge repeated keys into arrays). */
export function queryOf(request: FastifyRequest): URLSearchParams {
  const q = request.url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1));
}

/** Name → value, or undefined when any parameter is repeated (a malformed request to both endpoints). */
export function singleValues(query: URLSearchParams): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const [k, v] of query) {
    if (out.has(k)) return undefined;
    out.set(k, v);
  }
  return out;
}
