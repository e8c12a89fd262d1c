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
      app.inject({ method: 'POST', url: path, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }),
    close: async () => {
      ctx.store.close();
      await app.close();
    },
  };
}

export const tokenPath = (tenant = T): string => `/${tenant}/oauth2/v2.0/token`;

export function decodePart(jwt: string, part: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[part]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Asserts nothing; returns the parsed JSON body. */
export const json = (r: LightMyRequestResponse): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;
