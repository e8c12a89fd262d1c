import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * How a `$batch` item's JSON answer reaches the batch without a round trip through bytes. Each
 * item runs through the app with Fastify's `inject` (graph/batch.ts); a members page is written
 * as a string, and `inject` would encode it, gather the bytes, decode them again and leave the
 * batch to encode them once more — four copies of every page, most of a batch read's cost.
 * Instead the batch opens a handoff for the item and sends its key in a header; the route's
 * sendJson hands the string over and answers with an empty body.
 *
 * The key is a per-process random secret plus a counter, and only a key the batch has open is
 * honoured: a client cannot send it (items pass only the headers batch.ts lists), nor guess one.
 */

export const BATCH_ITEM_HEADER = 'x-mock-entra-batch-item';

const SECRET = randomBytes(16).toString('hex');
let counter = 0;
/** Open handoffs: the body handed over, or null while the item runs. */
const open = new Map<string, string | null>();

export interface Handoff {
  /** The header value the item's inject carries. */
  key: string;
  /** The body the route handed over, if it did; closes the handoff. */
  take(): string | undefined;
}

export function openHandoff(): Handoff {
  const key = `${SECRET}.${counter++}`;
  open.set(key, null);
  return {
    key,
    take() {
      const body = open.get(key);
      open.delete(key);
      return body ?? undefined;
    },
  };
}

/** Hands `body` to the batch when this request is one of its items; false otherwise (answer as usual). */
export function handOff(request: FastifyRequest, body: string): boolean {
  const key = request.headers[BATCH_ITEM_HEADER];
  if (typeof key !== 'string' || open.get(key) !== null) return false;
  open.set(key, body);
  return true;
}
