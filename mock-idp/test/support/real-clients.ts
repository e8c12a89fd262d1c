import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { MockEntraControl } from '../../src/control-client.js';
import type { TenantFixture } from '../../src/directory/model.js';
import { CONTOSO } from '../../src/contoso.js';

/**
 * Shared helpers of the real-client suite (test/real-clients): trusting the mock's local CA
 * from Node, and cloning the default tenant for tests that mutate a tenant.
 *
 * Trust: Node 20 reads NODE_EXTRA_CA_CERTS only at process start and its global fetch takes no
 * `ca` option (no `dispatcher` without the `undici` package). Every real client, though, lets
 * the application bring its own HTTP: openid-client and jose take a fetch (`customFetch`
 * symbol), MSAL Node a `system.networkClient`. So the one place where the CA is trusted is a
 * fetch built on node:https with `ca` — TLS is verified, against the mock's CA only.
 */

/**
 * What the clients hand their fetch: openid-client's CustomFetchOptions, jose's options, MSAL's
 * request options. Wider than lib.dom's RequestInit on `body` (any Uint8Array).
 */
export interface FetchInit {
  method?: string | undefined;
  headers?: HeadersInit | undefined;
  body?: string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null | undefined;
  signal?: AbortSignal | null | undefined;
  redirect?: RequestRedirect | undefined;
  duplex?: 'half' | undefined;
}

export type FetchLike = (input: string | URL, init?: FetchInit) => Promise<Response>;

/** Statuses whose Response must be built with a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch that trusts `ca` (PEM) for https: URLs (and only it: Node's default roots are not
 * added, so nothing but the mock can be reached over TLS). Redirects are never followed
 * (`redirect: 'manual'` is what openid-client, jose and MSAL ask for anyway).
 *
 * @param onRequest sees every request URL first; throw from it to forbid a destination.
 */
export function trustingFetch(ca: string | undefined, onRequest?: (url: URL) => void): FetchLike {
  return async (input, init) => {
    // Let the platform's Request normalise the body (URLSearchParams → form, content-type).
    const body0 = init?.body instanceof Uint8Array ? new Uint8Array(init.body) : init?.body;
    const req = new Request(input, {
      ...(init?.method ? { method: init.method } : {}),
      ...(init?.headers ? { headers: init.headers } : {}),
      ...(body0 != null ? { body: body0 as BodyInit, duplex: 'half' } : {}),
      redirect: 'manual',
    } as RequestInit);
    const url = new URL(req.url);
    onRequest?.(url);
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.from(await req.arrayBuffer());
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    if (body) headers['content-length'] = String(body.length);
    const res = await send(url, { method: req.method, headers, ca, signal: init?.signal ?? undefined }, body);
    const out = new Headers();
    for (let i = 0; i < res.message.rawHeaders.length; i += 2) out.append(res.message.rawHeaders[i]!, res.message.rawHeaders[i + 1]!);
    const status = res.message.statusCode ?? 500;
    return new Response(NULL_BODY.has(status) ? null : new Uint8Array(res.body), { status, statusText: res.message.statusMessage ?? '', headers: out });
  };
}

interface Sent {
  message: IncomingMessage;
  body: Buffer;
}

function send(
  url: URL,
  o: { method: string; headers: Record<string, string>; ca: string | undefined; signal?: AbortSignal | undefined },
  body: Buffer | undefined,
): Promise<Sent> {
  return new Promise<Sent>((resolve, reject) => {
    const options = { method: o.method, headers: o.headers, ...(o.signal ? { signal: o.signal } : {}) };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...options, ...(o.ca ? { ca: o.ca } : {}) }, collect)
        : httpRequest(url, options, collect);
    function collect(message: IncomingMessage): void {
      const chunks: Buffer[] = [];
      message.on('data', (c: Buffer) => chunks.push(c));
      message.on('end', () => resolve({ message, body: Buffer.concat(chunks) }));
      message.on('error', reject);
    }
    req.on('error', reject);
    req.end(body);
  });
}

/** The registered redirect URI's path for the bridge app; Entra ignores http://localhost ports. */
export const BRIDGE_CALLBACK_PATH = new URL(CONTOSO.bridge.redirectUri).pathname;
export const SPA_CALLBACK_PATH = new URL(CONTOSO.openMetadataUi.redirectUri).pathname;

/** base64url SHA-1 of the certificate's DER: the `x5t` Entra wants in client assertions. */
export function x5tOf(certPem: string): string {
  return createHash('sha1').update(new X509Certificate(certPem).raw).digest('base64url');
}

export interface ClonedTenant {
  fixture: TenantFixture;
  tenantId: string;
  domain: string;
  /** Old id → new id, for every id that was replaced. */
  ids: Record<keyof typeof CLONED_IDS, string>;
}

/** The Contoso ids a clone replaces (Microsoft Graph's own ids stay). */
const CLONED_IDS = {
  tenantId: CONTOSO.tenantId,
  bridge: CONTOSO.bridge.appId,
  openMetadataUi: CONTOSO.openMetadataUi.appId,
  ingestion: CONTOSO.ingestion.appId,
  adele: CONTOSO.users.adele.id,
  alex: CONTOSO.users.alex.id,
  megan: CONTOSO.users.megan.id,
  engineering: CONTOSO.groups.engineering,
  dataStewards: CONTOSO.groups.dataStewards,
  allCompany: CONTOSO.groups.allCompany,
  bridgeSecret: CONTOSO.bridge.secretKeyId,
  bridgeExpiredSecret: CONTOSO.bridge.expiredSecretKeyId,
  ingestionSecret: CONTOSO.ingestion.secretKeyId,
} as const;

/**
 * A copy of the default tenant under new ids and a new verified domain, so a test can mutate
 * it (rotate keys, add certificates) without touching Contoso, which other tests share.
 */
export async function cloneContoso(control: MockEntraControl, change?: (f: TenantFixture, ids: ClonedTenant['ids']) => void): Promise<ClonedTenant> {
  const { fixture } = await control.getTenant(CONTOSO.tenantId);
  const suffix = randomUUID().slice(0, 8);
  const domain = `rc${suffix}.onmicrosoft.com`;
  const ids = Object.fromEntries(Object.keys(CLONED_IDS).map((k) => [k, randomUUID()])) as ClonedTenant['ids'];
  let text = JSON.stringify(fixture);
  for (const [k, old] of Object.entries(CLONED_IDS)) text = text.replace(new RegExp(old, 'gi'), ids[k as keyof typeof CLONED_IDS]);
  text = text.replace(/contoso\.onmicrosoft\.com/gi, domain);
  const clone = JSON.parse(text) as TenantFixture;
  clone.displayName = `Contoso clone ${suffix}`;
  change?.(clone, ids);
  await control.createTenant(clone);
  return { fixture: clone, tenantId: ids.tenantId, domain, ids };
}

/** Decodes a JWT's header or payload without verifying it (for assertions on exact claims). */
export function decodeJwtPart(jwt: string, part: 0 | 1): Record<string, unknown> {
  const segment = jwt.split('.')[part];
  if (segment === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}
