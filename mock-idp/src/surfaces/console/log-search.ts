import { entraTimestamp } from '../../errors/render.js';
import type { RequestLogEntry } from '../../runtime/request-log.js';

/**
 * Finds a request by what a customer's screenshot of an Entra error shows: the Trace ID (the
 * error page's "Request Id"), the Correlation ID, or the Timestamp — `2026-12-05 10:15:42Z` as
 * Entra writes it, or ISO 8601; a timestamp given to the minute finds that whole minute. Any
 * other text is looked for in the row (URL, endpoint, client, user, AADSTS code, flow).
 */

const TIMESTAMP = /^(\d{4}-\d\d-\d\d)[ t](\d\d:\d\d(?::\d\d)?)(?:\.\d+)?z?$/;

export function logMatcher(query: string): (e: RequestLogEntry) => boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return () => true;
  const ts = TIMESTAMP.exec(q);
  if (ts) {
    const prefix = `${ts[1]} ${ts[2]}`;
    return (e) => (e.timestamp ?? entraTimestamp(Date.parse(e.time))).toLowerCase().startsWith(prefix);
  }
  return (e) =>
    [e.traceId, e.correlationId, e.url, e.endpoint, e.clientId, e.user, e.flow, e.note, e.error, e.aadsts === undefined ? undefined : `aadsts${e.aadsts}`].some(
      (field) => field !== undefined && field.toLowerCase().includes(q),
    );
}
