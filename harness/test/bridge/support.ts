import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { CONTOSO, type MockEntraControl, type TenantFixture } from '../../../mock-idp/src/index.js';

/** The Contoso ids a copy replaces (Microsoft Graph's own ids stay). */
const CONTOSO_IDS = {
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
} as const;

export interface TenantCopy {
  tenantId: string;
  domain: string;
  ids: Record<keyof typeof CONTOSO_IDS, string>;
  fixture: TenantFixture;
  /** `${mockUrl}/${tenantId}/v2.0/.well-known/openid-configuration` */
  discoveryUrl: string;
  /** `AdeleV@<domain>` etc. */
  upn(user: 'AdeleV' | 'AlexW' | 'MeganB'): string;
}

/** A copy of Contoso under new ids and a new domain, for a test that mutates its tenant. */
export async function copyContoso(control: MockEntraControl, change?: (f: TenantFixture, ids: TenantCopy['ids']) => void): Promise<TenantCopy> {
  const { fixture } = await control.getTenant(CONTOSO.tenantId);
  const suffix = randomUUID().slice(0, 8);
  const domain = `bridge${suffix}.onmicrosoft.com`;
  const ids = Object.fromEntries(Object.keys(CONTOSO_IDS).map((k) => [k, randomUUID()])) as TenantCopy['ids'];
  let text = JSON.stringify(fixture);
  for (const [k, old] of Object.entries(CONTOSO_IDS)) text = text.replace(new RegExp(old, 'gi'), ids[k as keyof typeof CONTOSO_IDS]);
  text = text.replace(/contoso\.onmicrosoft\.com/gi, domain);
  const copy = JSON.parse(text) as TenantFixture;
  copy.displayName = `Contoso copy ${suffix}`;
  change?.(copy, ids);
  const info = await control.createTenant(copy);
  return { tenantId: ids.tenantId, domain, ids, fixture: copy, discoveryUrl: info.discoveryUrl, upn: (u) => `${u}@${domain}` };
}

/**
 * Signs in on the mock's page in `page`, which must already be on it (e.g. after
 * `page.goto(bridge.loginUrl)`): clicks the user's account button.
 */
export async function pickAccount(page: Page, upn: string): Promise<void> {
  await page.locator(`button[name=loginfmt][value="${upn}"]`).click();
}

/**
 * A tiny stand-in for Microsoft Graph's group reads, for tests of the bridge while the mock's
 * Graph (mock-idp/src/routes/graph/) is being written. It answers from the tenant's *current*
 * fixture (read through the control API, so patches show), pages with `$skiptoken` nextLinks,
 * and can throttle. Tokens are decoded, not verified (the mock's token endpoint minted them):
 * app-only callers need the `Group.Read.All` role (403 Authorization_RequestDenied otherwise),
 * `/me/…` needs a delegated token.
 */
export interface GraphStandIn {
  /** `http://127.0.0.1:<port>/v1.0` — give it to the bridge as `graphUrl`. */
  url: string;
  /** Every request: method + path with query. */
  readonly requests: string[];
  /** Answer the next `n` requests with 429 and `Retry-After: retryAfter`. */
  throttleNext(n: number, retryAfter?: string): void;
  close(): Promise<void>;
}

export async function startGraphStandIn(control: MockEntraControl, options: { pageSize?: number } = {}): Promise<GraphStandIn> {
  const pageSize = options.pageSize ?? 100;
  const requests: string[] = [];
  let throttle = { n: 0, retryAfter: '1' };
  const app = Fastify({ logger: false });
  let base = '';

  const claimsOf = (request: FastifyRequest): Record<string, unknown> | undefined => {
    const auth = request.headers.authorization ?? '';
    const part = /^Bearer (.+)$/i.exec(auth)?.[1]?.split('.')[1];
    if (!part) return undefined;
    try {
      return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const graphError = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).type('application/json').send({ error: { code, message, innerError: { date: new Date().toISOString() } } });
  const page = (reply: FastifyReply, request: FastifyRequest, items: Array<Record<string, unknown>>) => {
    const q = request.query as Record<string, string>;
    const top = Math.min(Number(q.$top ?? pageSize) || pageSize, pageSize);
    const skip = Number(q.$skiptoken ?? 0) || 0;
    const slice = items.slice(skip, skip + top);
    const body: Record<string, unknown> = { '@odata.context': `${base}/$metadata#groups`, value: slice };
    if (skip + top < items.length) {
      const next = new URL(`${base}${request.url.split('?')[0]!.replace(/^\/v1\.0/, '')}`);
      for (const [k, v] of Object.entries(q)) if (k !== '$skiptoken') next.searchParams.set(k, v);
      next.searchParams.set('$skiptoken', String(skip + top));
      body['@odata.nextLink'] = next.href;
    }
    return reply.type('application/json').send(body);
  };

  app.addHook('onRequest', async (request, reply) => {
    requests.push(`${request.method} ${request.url}`);
    if (throttle.n > 0) {
      throttle.n--;
      return reply.code(429).header('retry-after', throttle.retryAfter).type('application/json').send({ error: { code: 'TooManyRequests', message: 'Too many requests.' } });
    }
    const claims = claimsOf(request);
    if (!claims || typeof claims.tid !== 'string') return graphError(reply, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    (request as FastifyRequest & { claims?: Record<string, unknown> }).claims = claims;
    return undefined;
  });
  const fixtureOf = async (request: FastifyRequest) => {
    const claims = (request as FastifyRequest & { claims: Record<string, unknown> }).claims;
    return { claims, fixture: (await control.getTenant(String(claims.tid))).fixture };
  };
  const appOnlyAllowed = (claims: Record<string, unknown>) => Array.isArray(claims.roles) && claims.roles.includes('Group.Read.All');

  app.get('/v1.0/groups', async (request, reply) => {
    const { claims, fixture } = await fixtureOf(request);
    if (!appOnlyAllowed(claims)) return graphError(reply, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    return page(reply, request, (fixture.groups ?? []).map((g) => ({ id: g.id, displayName: g.displayName })));
  });
  app.get('/v1.0/groups/:id/members', async (request, reply) => {
    const { claims, fixture } = await fixtureOf(request);
    if (!appOnlyAllowed(claims)) return graphError(reply, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const group = (fixture.groups ?? []).find((g) => g.id === (request.params as { id: string }).id);
    if (!group) return graphError(reply, 404, 'Request_ResourceNotFound', 'Resource not found.');
    return page(reply, request, (group.members ?? []).map((id) => ({ '@odata.type': '#microsoft.graph.user', id })));
  });
  app.get('/v1.0/me/transitiveMemberOf/microsoft.graph.group', async (request, reply) => {
    const { claims, fixture } = await fixtureOf(request);
    if (claims.idtyp === 'app' || typeof claims.scp !== 'string') return graphError(reply, 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    const oid = String(claims.oid);
    const groups = (fixture.groups ?? []).filter((g) => (g.members ?? []).includes(oid));
    return page(reply, request, groups.map((g) => ({ '@odata.type': '#microsoft.graph.group', id: g.id })));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1.0`;
  return {
    url: base,
    requests,
    throttleNext(n, retryAfter = '1') {
      throttle = { n, retryAfter };
    },
    close: () => app.close(),
  };
}
