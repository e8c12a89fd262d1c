import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { CATALOG } from '../../../src/errors/catalog.js';

/**
 * What every answer of the mock must satisfy, whatever it was sent: no 5xx, nothing internal in
 * the body, and every refusal in the shape of the surface it came from (Entra's JSON or page,
 * Graph's JSON, Azure AD Graph's JSON, the control API's own, or the 404 page).
 */

/** Stack frames, Node/Fastify internals and engine messages: none of it may reach a client. */
export const LEAK =
  /\bat (?:async )?[\w$.<>[\]]+ \(|\bat Object\.|node_modules|\b(?:Type|Reference|Range|Syntax|Eval|URI|Aggregate)Error\b|\bFST_[A-Z_]+|\bERR_[A-Z][A-Z_]{3,}|Cannot read propert|is not a function|is not defined|is not iterable|Unexpected token|Unexpected end of JSON|Maximum call stack|undefined is not|\[object Object\]|file:\/\/\//;

export type Surface = 'token' | 'page' | 'metadata' | 'graph' | 'aadGraph' | 'control' | 'console' | 'other' | 'managedIdentity';

/**
 * Which surface a path belongs to (its answers' error shape). The path is the one the server
 * sees: `inject()` (light-my-request) parses the URL as WHATWG does, which resolves dot segments,
 * the encoded `%2e%2e` included — `/oidc/userinfo/%2e%2e` reaches the mock as `/oidc/`.
 */
export function surfaceOf(url: string): Surface {
  const path = pathAsSent(url).toLowerCase();
  // The console (surfaces/console) answers people with pages, and its script with the control API's JSON.
  if (path === '/_mock/ui' || path.startsWith('/_mock/ui/')) return 'console';
  if (path.startsWith('/_mock/')) return 'control';
  if (path.startsWith('/v1.0/') || path === '/v1.0' || path.startsWith('/oidc/userinfo')) return 'graph';
  // Managed identity (surfaces/managed-identity): App Service's and IMDS's token endpoints, each its own shape.
  if (/^\/[^/]*\/msi\/token\/?$|^(?:\/[^/]*)?\/metadata\/identity\/oauth2\/token\/?$/.test(path)) return 'managedIdentity';
  if (/^\/[^/]*\/users\/[^/]*\/getmemberobjects\/?$/.test(path)) return 'aadGraph';
  if (/^\/[^/]+\/oauth2\/(?:v2\.0\/)?token\/?$/.test(path)) return 'token';
  if (/^\/[^/]+\/oauth2\/(?:v2\.0\/)?(?:authorize|logout)\/?$/.test(path)) return 'page';
  if (/^\/[^/]+\/(?:v2\.0\/)?\.well-known\/openid-configuration\/?$|^\/[^/]+\/discovery\/(?:v2\.0\/)?keys\/?$|^\/[^/]+\/discovery\/instance\/?$/.test(path))
    return 'metadata';
  return 'other';
}

function pathAsSent(url: string): string {
  try {
    // As light-my-request's parse-url.js: a URL starting `//` is a path, not a host.
    return new URL(url.startsWith('//') ? `http://localhost${url}` : url, 'http://localhost').pathname;
  } catch {
    return url.split('?')[0] ?? '';
  }
}

const ENTRA_KEYS = ['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri'];

type Shape = 'entraJson' | 'entraPage' | 'graphJson' | 'aadGraphJson' | 'controlJson' | 'consolePage' | 'notFoundPage' | 'imdsJson' | 'appServiceJson';

/** Per surface, the error shapes it may answer with. A method a path does not take meets the 404 page (Graph answers its own). */
const ALLOWED: Record<Surface, Shape[]> = {
  token: ['entraJson', 'notFoundPage'],
  // Authorize and logout show Microsoft's page; a request Fastify refuses before the route
  // (an oversized body) gets the token endpoint's JSON.
  page: ['entraPage', 'entraJson', 'notFoundPage'],
  metadata: ['entraJson', 'notFoundPage'],
  graph: ['graphJson'],
  aadGraph: ['aadGraphJson', 'entraJson', 'notFoundPage'],
  // IMDS passes Entra's refusal of a resource through as Entra's JSON.
  managedIdentity: ['imdsJson', 'appServiceJson', 'entraJson', 'notFoundPage'],
  control: ['controlJson', 'notFoundPage'],
  console: ['consolePage', 'controlJson', 'notFoundPage'],
  other: ['notFoundPage', 'entraJson'],
};

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The shape of an error answer, or a reason it has none. */
function shapeOf(res: LightMyRequestResponse): Shape | string {
  const type = String(res.headers['content-type'] ?? '');
  if (type.startsWith('text/html')) {
    if (res.statusCode === 404 && res.body.includes('404')) return 'notFoundPage';
    if (/AADSTS\d+: /.test(res.body) && res.body.includes('id="error-message"')) return 'entraPage';
    if (res.body.includes('<meta name="console-token"')) return 'consolePage';
    return `an HTML ${res.statusCode} page that is neither Entra's error page nor the 404 page`;
  }
  const json = parseJson(res.body);
  if (!isObject(json)) return `a body that is not a JSON object (${type})`;
  const keys = Object.keys(json);
  if (keys.join() === 'error,error_description' && typeof json.error === 'string' && typeof json.error_description === 'string') return 'imdsJson';
  if (keys.join() === 'statusCode,message,correlationId' && json.statusCode === res.statusCode && typeof json.message === 'string') return 'appServiceJson';
  if (keys[0] === 'error' && typeof json.error === 'string') {
    const expected = json.suberror !== undefined ? [...ENTRA_KEYS, 'suberror'] : ENTRA_KEYS;
    if (keys.join() !== expected.join()) return `Entra JSON with keys ${keys.join()}`;
    const codes = json.error_codes;
    if (!Array.isArray(codes) || codes.length !== 1 || typeof codes[0] !== 'number') return 'Entra JSON without one error code';
    const entry = CATALOG[codes[0] as keyof typeof CATALOG];
    if (!entry) return `AADSTS${codes[0]}, which is not in the catalog`;
    if (entry.status !== res.statusCode) return `AADSTS${codes[0]} with HTTP ${res.statusCode} (catalog: ${entry.status})`;
    if (entry.error !== json.error) return `AADSTS${codes[0]} as ${json.error} (catalog: ${entry.error})`;
    if (!String(json.error_description).startsWith(`AADSTS${codes[0]}: `)) return 'an error_description that does not start with its AADSTS code';
    return 'entraJson';
  }
  if (keys.length === 1 && isObject(json.error)) {
    const e = json.error;
    if (typeof e.code !== 'string' || typeof e.message !== 'string') return 'an error object without code and message';
    if (isObject(e.innerError)) {
      const inner = e.innerError;
      if (typeof inner.date !== 'string' || typeof inner['request-id'] !== 'string' || typeof inner['client-request-id'] !== 'string')
        return 'a Graph error whose innerError lacks date/request-id/client-request-id';
      return 'graphJson';
    }
    if (Object.keys(e).every((k) => ['code', 'message', 'issues'].includes(k))) return 'controlJson';
    return `an error object with keys ${Object.keys(e).join()}`;
  }
  if (keys.length === 1 && isObject(json['odata.error'])) return 'aadGraphJson';
  return `JSON with keys ${keys.join()}`;
}

export interface SentRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
}

/**
 * Checks one answer; returns the problems found (empty: fine). A marker the request itself
 * carried (a parameter value echoed in a message) does not count as a leak.
 */
export function problemsWith(req: SentRequest, res: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  const surface = surfaceOf(req.url);
  // Graph's 501 is the mock saying plainly that it does not implement a Graph feature.
  const graphFault =
    surface === 'graph' &&
    res.statusCode === 501 &&
    (req.method === 'HEAD' || (parseJson(res.body) as { error?: { code?: string } } | undefined)?.error?.code === 'NotImplemented');
  if (res.statusCode >= 500 && !graphFault) problems.push(`HTTP ${res.statusCode}`);
  const leak = LEAK.exec(res.body) ?? LEAK.exec(JSON.stringify(res.headers));
  if (leak) {
    const sent = `${req.url} ${JSON.stringify(req.headers ?? {})} ${req.payload?.toString() ?? ''}`;
    if (!sent.includes(leak[0])) problems.push(`leaks "${leak[0]}"`);
  }
  const type = String(res.headers['content-type'] ?? '');
  if (/json/.test(type) && req.method !== 'HEAD' && res.body !== '' && parseJson(res.body) === undefined)
    problems.push('a JSON content type with a body that does not parse');
  if (res.statusCode >= 400 && req.method !== 'HEAD') {
    const shape = shapeOf(res);
    if (!(ALLOWED[surface] as string[]).includes(shape)) problems.push(`a ${surface} refusal shaped as ${shape}`);
  }
  if (res.statusCode >= 300 && res.statusCode < 400) {
    const location = res.headers.location;
    if (typeof location !== 'string') problems.push(`a ${res.statusCode} without a location`);
    else {
      let target: URL | undefined;
      try {
        target = new URL(location);
      } catch {
        problems.push(`a location that is not an absolute URL: ${location.slice(0, 200)}`);
      }
      const params = target ? new URLSearchParams(target.hash ? target.hash.slice(1) : target.search) : undefined;
      if (params?.has('error') && !/^AADSTS\d+: /.test(params.get('error_description') ?? ''))
        problems.push('an error redirect without an AADSTS error_description');
    }
  }
  return problems;
}

/** Throws with the request and the answer when an answer breaks an invariant. */
export function expectSound(req: SentRequest, res: LightMyRequestResponse): void {
  const problems = problemsWith(req, res);
  if (problems.length === 0) return;
  const payload = req.payload === undefined ? '' : ` body(${req.payload.length}): ${req.payload.toString().slice(0, 300)}`;
  throw new Error(
    `${problems.join('; ')}\n  request: ${req.method} ${req.url.slice(0, 400)} headers: ${JSON.stringify(req.headers ?? {}).slice(0, 300)}${payload}\n  answer: ${res.statusCode} ${String(res.headers['content-type'] ?? '')} ${res.body.slice(0, 600)}`,
  );
}

export interface RouteSpec {
  /** Fastify's pattern: `/:tenant/oauth2/v2.0/token`, `/v1.0/groups/:id/members`, `*`. */
  path: string;
  methods: string[];
}

/** Every route the app serves, read from Fastify's route tree (so routes added later are fuzzed too). */
export function listRoutes(app: FastifyInstance): RouteSpec[] {
  const out: RouteSpec[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const full = `${stack[depth - 1] ?? ''}${m[2]}`;
    stack[depth] = full;
    if (m[3]) out.push({ path: full, methods: m[3].split(',').map((s) => s.trim()) });
  }
  return out;
}
