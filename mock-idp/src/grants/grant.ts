import type { FastifyRequest } from 'fastify';
import type { MockContext } from '../context.js';
import type { Application } from '../directory/model.js';
import type { ClientCredentials } from '../protocol/client-auth.js';
import type { Params } from '../protocol/params.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import type { IssuerContext } from '../tokens/issue.js';

/** Everything a grant handler gets from the token endpoint. */
export interface GrantRequest {
  ctx: MockContext;
  request: FastifyRequest;
  params: Params;
  tenant: TenantRuntime;
  client: Application;
  credentials: ClientCredentials;
  /** v1 (/oauth2/token) or v2 (/oauth2/v2.0/token). */
  version: 'v1' | 'v2';
  /** Token endpoint URLs a client assertion may name as `aud`. */
  assertionAudiences: string[];
}

/** A grant type's handler: returns the JSON body of a successful token response or throws EntraError. */
export type GrantHandler = (g: GrantRequest) => Promise<Record<string, unknown>>;

/** The tenant, URLs and active signing key tokens of this request are minted with; the notes tell a test's mutations which grant this is. */
export const issuerOf = (g: GrantRequest): IssuerContext => ({
  tenant: g.tenant,
  urls: g.ctx.urls,
  key: g.tenant.activeKey(g.ctx.machineKey),
  notes: g.request.notes,
});
