import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createContext } from '../../src/server.js';
import type { MockContext } from '../../src/context.js';
import type { MockEntraOptions } from '../../src/config/options.js';
import { CONTOSO } from '../../src/contoso.js';

export { CONTOSO };
export const ORIGIN = 'https://localhost:8443';
export const T = CONTOSO.tenantId;

export interface TestMock {
  app: FastifyInstance;
  ctx: MockContext;
  inject(opts: InjectOptions | string): Promise<LightMyRequestResponse>;
  /** POST a form to a path (token endpoint style). */
  form(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** The mock built in-process on the default fixture (or given ones), for inject() tests. */
export async function mockApp(options: MockEntraOptions = {}): Promise<TestMock> {
  const ctx = await createContext({ publicUrl: ORIGIN, ...options });
  const app = buildApp(ctx);
  await app.ready();
  return {
    app,
    ctx,
    inject: (opts) => app.inject(opts),
    form: (path, fields, headers = {}) =>
      app.inject({
        method: 'POST',
        url: path,
        payload: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      }),
    close: async () => {
      ctx.store.close();
      await app.close();
    },
  };
}

export const tokenPath = (tenant: string = T): string => `/${tenant}/oauth2/v2.0/token`;

export function decodePart(jwt: string, part: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[part]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Asserts nothing; returns the parsed JSON body. */
export const json = (r: LightMyRequestResponse): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;

export interface AuthorizeResult {
  status: number;
  location: string | undefined;
  params: URLSearchParams;
  cookie: string | undefined;
  body: string;
}

/** Drives /authorize with `mock_login=auto` (no page) and returns what came back to the redirect URI. */
export async function authorize(
  m: TestMock,
  query: Record<string, string>,
  opts: { cookie?: string; tenant?: string; path?: string } = {},
): Promise<AuthorizeResult> {
  const path = opts.path ?? `/${opts.tenant ?? T}/oauth2/v2.0/authorize`;
  const r = await m.inject({ method: 'GET', url: `${path}?${new URLSearchParams(query).toString()}`, headers: opts.cookie ? { cookie: opts.cookie } : {} });
  const location = r.headers.location as string | undefined;
  let params = new URLSearchParams();
  if (location) {
    const u = new URL(location);
    params = new URLSearchParams(u.hash ? u.hash.slice(1) : u.search);
  }
  const setCookie = r.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
  return { status: r.statusCode, location, params, cookie, body: r.body };
}

export const BRIDGE_AUTH = {
  client_id: CONTOSO.bridge.appId,
  redirect_uri: CONTOSO.bridge.redirectUri,
  response_type: 'code',
  scope: 'openid profile email offline_access User.Read',
  state: 'st-123',
  mock_login: 'auto',
  login_hint: CONTOSO.users.adele.upn,
} as const;

/** A code for the bridge, signed in as `upn`. */
export async function bridgeCode(m: TestMock, extra: Record<string, string> = {}): Promise<string> {
  const r = await authorize(m, { ...BRIDGE_AUTH, ...extra });
  const code = r.params.get('code');
  if (!code) throw new Error(`no code: ${r.status} ${r.location ?? r.body.slice(0, 300)}`);
  return code;
}

export const bridgeRedeem = (m: TestMock, code: string, extra: Record<string, string> = {}) =>
  m.form(tokenPath(), {
    grant_type: 'authorization_code',
    client_id: CONTOSO.bridge.appId,
    client_secret: CONTOSO.bridge.secret,
    code,
    redirect_uri: CONTOSO.bridge.redirectUri,
    ...extra,
  });
