import type { FastifyReply } from 'fastify';
import { GRAPH_ERRORS, graphError, type GraphErrorSpec } from '../errors/graph-error.js';
import { BATCH_ITEM_HEADER, openHandoff } from './batch-handoff.js';
import { GraphFailure } from './graph-failure.js';
import { sendJson, type GraphCall } from './graph-route.js';

/**
 * JSON batching, POST /v1.0/$batch (https://learn.microsoft.com/graph/json-batching): up to 20
 * requests in one body, each answered with its own `id`, `status`, `headers` and `body`; the
 * batch itself answers 200 once it parses ("If the batch request is parseable, the status code
 * is 200", json-batching, "Processing the JSON batch response"; microsoft-graph-docs-contrib#8883).
 *
 * Each item runs through the very routes a direct call takes — Fastify's `inject` on the same
 * app, with the batch's `Authorization` and `Host` — so its token check, the tenant's faults
 * (a throttled item carries its own 429 and `Retry-After`, json-batching and throttling,
 * "Throttling and batching"), its permission and its answer are those of a direct call, and the
 * request log shows each item. Items without `dependsOn` run concurrently; a sequence runs in
 * order and an item whose dependency failed is not run: 424 (json-batching, "Sequencing
 * requests with the dependsOn property").
 */

/** Graph's documented limit (json-batching, "Batch size limitations"). */
export const MAX_BATCH_REQUESTS = 20;

/** Batch refusals. UNCONFIRMED wordings: nothing public quotes the service's own texts. */
export const BATCH_ERRORS = {
  // UNCONFIRMED wording; the limit is documented (json-batching, "Batch size limitations").
  tooManyRequests: { status: 400, code: 'BadRequest', message: `The batch request exceeds the maximum of ${MAX_BATCH_REQUESTS} requests.` },
  // UNCONFIRMED wording; ids must be unique (json-batching: "the id property … must be unique within the batch").
  duplicateId: { status: 400, code: 'BadRequest', message: "The batch request contains more than one request with id '{id}'." },
  // UNCONFIRMED wording: a body without a `requests` array, or a request without id, method or url.
  invalidPayload: { status: 400, code: 'BadRequest', message: 'Invalid batch payload format.' },
  // UNCONFIRMED wording: a dependsOn naming an id no request of the batch has.
  unknownDependency: { status: 400, code: 'BadRequest', message: "The request '{id}' depends on '{dependsOn}', which is not in the batch." },
  // Microsoft's answer on Q&A 1532547 ("Batch should be either fully sequential or fully parallel").
  mixedSequencing: { status: 400, code: 'BadRequest', message: 'Batch should be either fully sequential or fully parallel' },
  // UNCONFIRMED wording: the item's body when a request it depends on failed.
  failedDependency: { status: 424, code: 'FailedDependency', message: 'The request it depends on failed.' },
  // UNCONFIRMED wording: an absolute URL, or one leaving /v1.0 (items are relative to the version root).
  invalidUrl: { status: 400, code: 'BadRequest', message: 'Invalid request URL' },
} as const satisfies Record<string, GraphErrorSpec>;

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Headers an item answer carries, with Graph's casing (json-batching's response example); the rest belong to the batch. */
const ITEM_HEADERS: Record<string, string> = {
  'cache-control': 'Cache-Control',
  'x-ms-resource-unit': 'x-ms-resource-unit',
  'odata-version': 'OData-Version',
  'content-type': 'Content-Type',
  'retry-after': 'Retry-After',
  location: 'Location',
  etag: 'ETag',
  'preference-applied': 'Preference-Applied',
};

/** Request headers an item may set (the token is the batch's). */
const PASSED_HEADERS = new Set(['consistencylevel', 'prefer', 'client-request-id', 'content-type', 'if-match', 'if-none-match', 'accept']);

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

export interface ItemAnswer {
  id: string;
  status: number;
  headers: Record<string, string>;
  /** The body as JSON text: a JSON answer exactly as the route wrote it, or JSON written here (an error, a text or base64 body as a JSON string). */
  body?: string;
}

const stringRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The batch's requests, checked as a whole (any problem refuses the batch with 400). */
export function parseBatch(body: unknown): BatchItem[] {
  const b = body as { json?: unknown; invalidJson?: true; unsupportedBody?: true } | undefined | null;
  if (b === undefined || b === null) throw new GraphFailure(GRAPH_ERRORS.emptyPayload);
  if (b.invalidJson || b.unsupportedBody) throw new GraphFailure(GRAPH_ERRORS.invalidJsonBody);
  const json = b.json;
  if (!stringRecord(json) || !Array.isArray(json.requests)) throw new GraphFailure(BATCH_ERRORS.invalidPayload);
  if (json.requests.length > MAX_BATCH_REQUESTS) throw new GraphFailure(BATCH_ERRORS.tooManyRequests);
  const items: BatchItem[] = [];
  const ids = new Set<string>();
  for (const r of json.requests as unknown[]) {
    if (!stringRecord(r) || typeof r.id !== 'string' || r.id === '' || typeof r.method !== 'string' || typeof r.url !== 'string') {
      throw new GraphFailure(BATCH_ERRORS.invalidPayload);
    }
    if (ids.has(r.id)) throw new GraphFailure(graphError(BATCH_ERRORS.duplicateId, { id: r.id }));
    ids.add(r.id);
    const method = r.method.toUpperCase();
    if (!METHODS.has(method)) throw new GraphFailure(BATCH_ERRORS.invalidPayload);
    const headers: Record<string, string> = {};
    if (r.headers !== undefined) {
      if (!stringRecord(r.headers)) throw new GraphFailure(BATCH_ERRORS.invalidPayload);
      for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
    let dependsOn: string[] = [];
    if (r.dependsOn !== undefined) {
      if (!Array.isArray(r.dependsOn) || !r.dependsOn.every((d): d is string => typeof d === 'string')) throw new GraphFailure(BATCH_ERRORS.invalidPayload);
      dependsOn = r.dependsOn;
    }
    items.push({ id: r.id, method, url: r.url, headers, ...(r.body !== undefined ? { body: r.body } : {}), dependsOn });
  }
  for (const item of items) {
    for (const d of item.dependsOn) {
      // A dependency must come earlier in the batch: that is what keeps a sequence free of cycles.
      const at = items.findIndex((i) => i.id === d);
      if (at < 0 || at >= items.indexOf(item)) throw new GraphFailure(graphError(BATCH_ERRORS.unknownDependency, { id: item.id, dependsOn: d }));
    }
  }
  // Fully parallel (no dependsOn) or fully sequential (every request but the first depends on another).
  const sequenced = items.filter((i) => i.dependsOn.length > 0).length;
  if (sequenced > 0 && sequenced !== items.length - 1) throw new GraphFailure(BATCH_ERRORS.mixedSequencing);
  return items;
}

/** The item's path under /v1.0, or undefined when it is absolute or leaves the version root. */
export function itemPath(url: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//')) return undefined;
  // The Graph JS SDK strips the scheme and host of a full URL, leaving `/v1.0/…` (its
  // BatchRequestContent); the version segment then names the batch's own version.
  const relative = url.replace(/^\/+/, '').replace(/^v1\.0(?=\/|\?|$)\/?/i, '');
  const q = relative.indexOf('?');
  const path = q < 0 ? relative : relative.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.split('/').some((s) => s === '..' || s === '.')) return undefined;
  // A batch inside a batch is not a resource of the version root.
  if (/^\$batch(\/|$)/i.test(decoded)) return undefined;
  return `/v1.0/${relative}`;
}

function errorBody(spec: GraphErrorSpec): string {
  return JSON.stringify({ error: { code: spec.code, message: spec.message } });
}

/** One item through the app, as a direct call with the batch's token. */
async function runItem(call: GraphCall, item: BatchItem): Promise<ItemAnswer> {
  const path = itemPath(item.url);
  if (path === undefined) return { id: item.id, status: 400, headers: { 'Content-Type': 'application/json' }, body: errorBody(BATCH_ERRORS.invalidUrl) };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(item.headers)) if (PASSED_HEADERS.has(k)) headers[k] = v;
  const { authorization, host } = call.request.headers;
  if (authorization !== undefined) headers.authorization = authorization;
  if (host !== undefined) headers.host = host;
  let payload: string | undefined;
  if (item.body !== undefined) {
    payload = typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
    headers['content-type'] ??= 'application/json';
  }
  const handoff = openHandoff();
  headers[BATCH_ITEM_HEADER] = handoff.key;
  let r: Awaited<ReturnType<typeof call.request.server.inject>>;
  let handed: string | undefined;
  try {
    r = await call.request.server.inject({
      method: item.method as 'GET',
      url: path,
      headers,
      remoteAddress: call.request.ip,
      ...(payload !== undefined ? { payload } : {}),
    });
  } finally {
    handed = handoff.take();
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    const name = ITEM_HEADERS[k];
    if (name !== undefined && v !== undefined) out[name] = String(v);
  }
  const type = String(r.headers['content-type'] ?? '');
  // A JSON answer goes into the batch's answer as the route wrote it: handed over as text
  // (batch-handoff.ts), or the text inject gathered (an error's body).
  let body: string | undefined;
  if (handed !== undefined) body = handed;
  else if (r.rawPayload.length === 0) body = undefined;
  else if (type.startsWith('application/json')) body = r.payload;
  else if (type.startsWith('text/')) body = JSON.stringify(r.payload);
  // Binary bodies (a photo's $value) are base64 in a batch answer (json-batching, "Response format").
  else body = JSON.stringify(r.rawPayload.toString('base64'));
  return { id: item.id, status: r.statusCode, headers: out, ...(body !== undefined ? { body } : {}) };
}

const succeeded = (a: ItemAnswer): boolean => a.status >= 200 && a.status < 300;

/** Runs the items: all at once, or one after another when they are sequenced. */
export async function runBatch(call: GraphCall, items: readonly BatchItem[]): Promise<ItemAnswer[]> {
  if (items.every((i) => i.dependsOn.length === 0)) return Promise.all(items.map((i) => runItem(call, i)));
  const done = new Map<string, ItemAnswer>();
  const answers: ItemAnswer[] = [];
  for (const item of items) {
    const failed = item.dependsOn.some((d) => !succeeded(done.get(d)!));
    const answer = failed
      ? { id: item.id, status: 424, headers: { 'Content-Type': 'application/json' }, body: errorBody(BATCH_ERRORS.failedDependency) }
      : await runItem(call, item);
    done.set(item.id, answer);
    answers.push(answer);
  }
  return answers;
}

/** The batch route's handler. */
export async function serveBatch(call: GraphCall): Promise<FastifyReply> {
  const items = parseBatch(call.request.body);
  const answers = await runBatch(call, items);
  // Each item's body as the route wrote it, joined once.
  const parts: string[] = ['{"responses":['];
  answers.forEach((a, i) => {
    const head = `${i > 0 ? ',' : ''}{"id":${JSON.stringify(a.id)},"status":${a.status},"headers":${JSON.stringify(a.headers)}`;
    if (a.body === undefined) parts.push(`${head}}`);
    else parts.push(`${head},"body":`, a.body, '}');
  });
  parts.push(']}');
  return sendJson(call, parts.join(''));
}
