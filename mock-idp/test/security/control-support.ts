import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startMockEntra, type RunningMockEntra } from '../../src/server.js';
import type { MockEntraOptions } from '../../src/config/options.js';
import type { TenantFixture } from '../../src/directory/model.js';
import { CONTOSO } from '../../src/contoso.js';

/**
 * Helpers of the test-control API's attack tests: a real mock on plain HTTP in a state dir of
 * its own, and raw HTTP requests whose every header (Host, Origin, Content-Type) the test
 * chooses — what a browser page or a rebinding attack would send.
 */

export const T = CONTOSO.tenantId;

export interface ServedMock {
  mock: RunningMockEntra;
  port: number;
  /** `http://127.0.0.1:{port}` — the address the requests go to, whatever Host they claim. */
  address: string;
  close(): Promise<void>;
}

export async function serveMock(options: MockEntraOptions = {}): Promise<ServedMock> {
  const stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-security-'));
  const mock = await startMockEntra({ port: 0, tls: false, stateDir, ...options });
  const port = (mock.app.server.address() as AddressInfo).port;
  return {
    mock,
    port,
    address: `http://127.0.0.1:${port}`,
    close: async () => {
      await mock.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** An app-only Microsoft Graph token of the bridge app (admin-consented Group.Read.All), from the served mock. */
export async function graphAppToken(address: string, tenant = T): Promise<string> {
  const r = await fetch(`${address}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  return String(((await r.json()) as { access_token: string }).access_token);
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed, when it is JSON. */
  json: unknown;
}

/** One HTTP request to 127.0.0.1:port with exactly these headers (a `host` here replaces Node's). */
export function send(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; host?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    const req = httpRequest({ host: options.host ?? '127.0.0.1', port, method, path, headers, agent: false, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body) as unknown;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(options.body);
  });
}

/** The control API's error body: `{"error":{"code","message"}}`. */
export const controlError = (answer: RawAnswer): { code?: string; message?: string } =>
  (answer.json as { error?: { code?: string; message?: string } } | undefined)?.error ?? {};

/** The default tenant under another id and domain, as a body for POST /_mock/tenants. */
export async function contosoCopy(port: number, id: string, domain: string): Promise<TenantFixture> {
  const r = await send(port, 'GET', `/_mock/tenants/${T}`);
  const { fixture } = r.json as { fixture: TenantFixture };
  return { ...fixture, id, displayName: `Copy ${id.slice(0, 8)}`, verifiedDomains: [domain] };
}

/** How many signing keys the tenant's JWKS publishes. */
export async function jwksSize(port: number, tenant = T): Promise<number> {
  const r = await send(port, 'GET', `/${tenant}/discovery/v2.0/keys`);
  return (r.json as { keys: unknown[] }).keys.length;
}

export const json = (value: unknown): { headers: Record<string, string>; body: string } => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});
