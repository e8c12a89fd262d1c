import type { FastifyReply, FastifyRequest } from 'fastify';
import { newGuid } from '../support/ids.js';

/**
 * Azure AD Graph's error body (graph.windows.net), for the one route that imitates it (the groups
 * overage pointer): `{"odata.error":{"code","message":{"lang":"en","value"},"requestId","date"}}`.
 */
export function sendAadGraphError(request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const requestId = newGuid();
  request.notes.error = code;
  return reply
    .code(status)
    .header('content-type', 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8')
    .header('request-id', requestId)
    .send(
      JSON.stringify({ 'odata.error': { code, message: { lang: 'en', value: message }, requestId, date: new Date().toISOString().replace(/\.\d{3}Z$/, '') } }),
    );
}
