import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { GRAPH_APP_ROLES } from '../../src/directory/microsoft-graph.js';
import { authorize, BRIDGE_AUTH, CONTOSO, json, T, tokenPath, type TestMock } from '../support/mock-app.js';

/** Helpers of the Graph suite: tokens of every kind, tenants to mutate, calls, exact wire checks. */

export const GRAPH = 'https://localhost:8443';
export const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export const appRoleId = (value: string): string => GRAPH_APP_ROLES.find((r) => r.value === value)!.id;

/** An app-only Graph token for the bridge (roles: the admin-consented application permissions). */
export async function appToken(m: TestMock, tenant: string = T, client: { appId: string; secret: string } = CONTOSO.bridge): Promise<string> {
  const r = await m.form(tokenPath(tenant), {
    grant_type: 'client_credentials',
    client_id: client.appId,
    client_secret: client.secret,
    scope: 'https://graph.microsoft.com/.default',
  });
  expect(r.statusCode, r.body).toBe(200);
  return String(json(r).access_token);
}

/** A delegated Graph token for the bridge, signed in as `upn`, with these scopes (consented in the tenant). */
export async function userToken(m: TestMock, opts: { tenant?: string; upn?: string; scope?: string } = {}): Promise<string> {
  const tenant = opts.tenant ?? T;
  const a = await authorize(m, { ...BRIDGE_AUTH, login_hint: opts.upn ?? CONTOSO.users.adele.upn, ...(opts.scope ? { scope: opts.scope } : {}) }, { tenant });
  const code = a.params.get('code');
  if (!code) throw new Error(`no code: ${a.status} ${a.location ?? a.body.slice(0, 400)}`);
  const r = await m.form(tokenPath(tenant), {
    grant_type: 'authorization_code',
    client_id: CONTOSO.bridge.appId,
    client_secret: CONTOSO.bridge.secret,
    code,
    redirect_uri: CONTOSO.bridge.redirectUri,
  });
  expect(r.statusCode, r.body).toBe(200);
  return String(json(r).access_token);
}

export const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** GET (or POST with a JSON body) on Graph with a bearer token. */
export function graph(
  m: TestMock,
  token: string | undefined,
  url: string,
  opts: { headers?: Record<string, string>; method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; body?: unknown; rawBody?: string; contentType?: string } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...opts.headers };
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  return m.inject({ method: opts.method ?? (payload !== undefined ? 'POST' : 'GET'), url, headers, ...(payload !== undefined ? { payload } : {}) });
}

/** The body of a 200 JSON answer (asserting status and Graph's content type). */
export function ok(r: LightMyRequestResponse): Record<string, unknown> {
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toBe(ODATA_JSON);
  return JSON.parse(r.body) as Record<string, unknown>;
}

/** Asserts Graph's error answer exactly: status, code, message, innerError keys and formats, headers. */
export function expectGraphError(r: LightMyRequestResponse, status: number, code: string, message: string): void {
  expect(r.statusCode, r.body).toBe(status);
  expect(r.headers['content-type']).toBe('application/json');
  const body = JSON.parse(r.body) as { error: { code: string; message: string; innerError: Record<string, string> } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error)).toEqual(['code', 'message', 'innerError']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toBe(message);
  expect(Object.keys(body.error.innerError)).toEqual(['date', 'request-id', 'client-request-id']);
  expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  expect(body.error.innerError['request-id']).toBe(r.headers['request-id']);
  expect(body.error.innerError['client-request-id']).toBe(r.headers['client-request-id']);
}

export const values = (b: Record<string, unknown>): Array<Record<string, unknown>> => b.value as Array<Record<string, unknown>>;
export const ids = (b: Record<string, unknown>): string[] => values(b).map((v) => String(v.id));
export const nextPath = (b: Record<string, unknown>): string | undefined => (b['@odata.nextLink'] as string | undefined)?.replace(GRAPH, '');

/** Follows @odata.nextLink to the end; returns every item and the number of pages. */
export async function readAll(
  m: TestMock,
  token: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ items: Array<Record<string, unknown>>; pages: number; first: Record<string, unknown> }> {
  const items: Array<Record<string, unknown>> = [];
  let next: string | undefined = url;
  let pages = 0;
  let first: Record<string, unknown> | undefined;
  while (next) {
    const b = ok(await graph(m, token, next, { headers }));
    first ??= b;
    pages += 1;
    items.push(...values(b));
    next = nextPath(b);
  }
  return { items, pages, first: first! };
}

let n = 0;
/**
 * A copy of Contoso under a new tenant id and domain (the apps, users and groups keep their ids),
 * changed by `change`, created through the test-control API — for tests that mutate a tenant.
 */
export async function copyOfContoso(m: TestMock, change?: (f: TenantFixture) => void): Promise<string> {
  n += 1;
  const base = json(await m.inject(`/_mock/tenants/${T}`)).fixture as TenantFixture;
  const id = randomUUID();
  const fixture: TenantFixture = { ...structuredClone(base), id, displayName: `Graph copy ${n}`, verifiedDomains: [`graph${id.slice(0, 8)}.example.com`] };
  change?.(fixture);
  const r = await m.inject({ method: 'POST', url: '/_mock/tenants', payload: JSON.stringify(fixture), headers: { 'content-type': 'application/json' } });
  expect(r.statusCode, r.body).toBe(201);
  return id;
}

/** Grants the bridge more admin-consented application permissions on Graph. */
export function grantAppRoles(f: TenantFixture, ...roles: string[]): void {
  for (const role of roles)
    f.appRoleAssignments!.push({
      principalId: CONTOSO.bridge.appId,
      principalType: 'ServicePrincipal',
      resourceId: '00000003-0000-0000-c000-000000000000',
      appRoleId: appRoleId(role),
    });
}

/** Consents more delegated Graph scopes for the bridge, for all users. */
export function grantScopes(f: TenantFixture, ...scopes: string[]): void {
  const g = f.oauth2PermissionGrants!.find((x) => x.clientId === CONTOSO.bridge.appId && x.resourceId === '00000003-0000-0000-c000-000000000000')!;
  g.scope = [...new Set([...g.scope.split(' '), ...scopes])].join(' ');
}

/** PUT a tenant's fixture through the control API. */
export async function putFixture(m: TestMock, tenant: string, f: TenantFixture): Promise<void> {
  const r = await m.inject({
    method: 'PUT',
    url: `/_mock/tenants/${tenant}/fixture`,
    payload: JSON.stringify(f),
    headers: { 'content-type': 'application/json' },
  });
  expect(r.statusCode, r.body).toBe(200);
}

export async function fixtureOf(m: TestMock, tenant: string): Promise<TenantFixture> {
  return json(await m.inject(`/_mock/tenants/${tenant}`)).fixture as TenantFixture;
}

export const guid = (): string => randomUUID();

/** Nested groups added by withNesting(). */
export const NESTED = {
  /** Security group: Engineering (a group) and Megan. */
  platform: '5c1e0f2a-7b3d-4e6f-9a8b-1c2d3e4f5a01',
  /** Distribution group (mail-enabled, not security): Platform. */
  everyone: '5c1e0f2a-7b3d-4e6f-9a8b-1c2d3e4f5a02',
  /** Security group holding the distribution group: its members are not reached through security groups only. */
  secureOuter: '5c1e0f2a-7b3d-4e6f-9a8b-1c2d3e4f5a03',
} as const;

/** Adds NESTED's groups to a Contoso copy: Adele → Engineering → Platform → Everyone → Secure Outer. */
export function withNesting(f: TenantFixture): void {
  f.groups!.push(
    {
      id: NESTED.platform,
      displayName: 'Platform',
      groupTypes: [],
      securityEnabled: true,
      mailEnabled: false,
      members: [CONTOSO.groups.engineering, CONTOSO.users.megan.id],
    },
    {
      id: NESTED.everyone,
      displayName: 'Everyone',
      groupTypes: [],
      securityEnabled: false,
      mailEnabled: true,
      mail: 'everyone@contoso.com',
      mailNickname: 'everyone',
      members: [NESTED.platform],
    },
    { id: NESTED.secureOuter, displayName: 'Secure Outer', groupTypes: [], securityEnabled: true, mailEnabled: false, members: [NESTED.everyone] },
  );
}

export const sorted = (xs: readonly string[]): string[] => [...xs].sort();
