import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Trusting the mock's local CA from Node without restarting the process.
 *
 * Node 20 reads NODE_EXTRA_CA_CERTS only at process start, and its global fetch takes no `ca`
 * option. Every real client, though, lets the application bring its own HTTP: openid-client and
 * jose take a fetch (their `customFetch` symbol), MSAL Node a `system.networkClient`. These
 * helpers build both on node:https with the mock's CA — TLS is still verified, against that CA.
 *
 * @example
 * const mock = await startMockEntra({ port: 0 });
 * const config = await client.discovery(new URL(`${mock.url}/${CONTOSO.tenantId}/v2.0`), id, secret, undefined,
 *   { [client.customFetch]: trustingFetch(mock.caPem) });
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
    const req = url.protocol === 'https:' ? httpsRequest(url, { ...options, ...(o.ca ? { ca: o.ca } : {}) }, collect) : httpRequest(url, options, collect);
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

/** MSAL Node's `system.networkClient` (INetworkModule) over a fetch, e.g. `trustingFetch(caPem)`. */
export function msalNetworkClient(fetch: FetchLike): {
  sendGetRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<{ headers: Record<string, string>; body: T; status: number }>;
  sendPostRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<{ headers: Record<string, string>; body: T; status: number }>;
} {
  const send = async <T>(method: string, url: string, options?: { headers?: Record<string, string>; body?: string }) => {
    const response = await fetch(url, { method, headers: options?.headers ?? {}, ...(options?.body !== undefined ? { body: options.body } : {}) });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    const text = await response.text();
    return { headers, status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  return { sendGetRequestAsync: (url, o) => send('GET', url, o), sendPostRequestAsync: (url, o) => send('POST', url, o) };
}
