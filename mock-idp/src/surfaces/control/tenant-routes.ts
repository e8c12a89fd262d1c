import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MockContext } from '../../context.js';
import type { TenantFixture } from '../../directory/model.js';
import { newSigningKey } from '../../keys/signing-keys.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { applyPatch, PatchError } from '../../support/json-patch.js';
import { ControlError, jsonBody, jsonField, scopedTenant } from './control-reply.js';
import { tenantFromBody, validTenant } from './tenant-body.js';
import { describeTenant } from './tenant-info.js';
import type { TenantParams } from './tenant-scope.js';

/**
 * The routes of one tenant, under /_mock/tenants/:id (the tenant scope's prefix: tenant-scope.ts
 * has found the tenant before any of them runs). The list is in index.ts.
 */
export function registerTenantRoutes(scope: FastifyInstance, ctx: MockContext): void {
  scope.get('/', async (request) => {
    const t = scopedTenant(request);
    return { ...describeTenant(ctx.urls.login, t), fixture: t.currentFixture() };
  });

  scope.delete('/', async (request, reply) => {
    ctx.tenants.remove(scopedTenant(request).id);
    return reply.code(204).send();
  });

  scope.post('/reset', async (request, reply) => {
    const t = scopedTenant(request);
    t.reset();
    ctx.tenants.reindex(t);
    return reply.code(204).send();
  });

  scope.put('/fixture', async (request, reply) => replace(ctx, scopedTenant(request), await tenantFromBody(ctx, request.body), reply));

  scope.patch('/fixture', async (request, reply) => {
    const t = scopedTenant(request);
    const body = jsonBody(request.body);
    if (body === undefined) throw new ControlError(400, 'BadRequest', 'The body must be a JSON Patch document (a JSON array).');
    let patched: TenantFixture;
    try {
      patched = applyPatch(t.currentFixture(), body);
    } catch (e) {
      if (e instanceof PatchError) throw new ControlError(400, 'BadRequest', e.message);
      throw e;
    }
    return replace(ctx, t, await validTenant(ctx, patched), reply);
  });

  scope.get('/clock', async (request) => clock(scopedTenant(request)));

  scope.put('/clock', async (request) => {
    const t = scopedTenant(request);
    const now = jsonField(request.body, 'now');
    const ms = typeof now === 'number' ? now : typeof now === 'string' ? Date.parse(now) : NaN;
    if (!Number.isFinite(ms)) throw new ControlError(400, 'BadRequest', 'Send {"now": "<ISO-8601 time>"} or {"now": <epoch milliseconds>}.');
    if (!inClockRange(ms)) throw new ControlError(400, 'BadRequest', CLOCK_RANGE);
    t.clock.set(ms);
    t.cache.clear();
    return clock(t);
  });

  scope.post('/clock/advance', async (request) => {
    const t = scopedTenant(request);
    const seconds = jsonField(request.body, 'seconds');
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw new ControlError(400, 'BadRequest', 'Send {"seconds": <number>}.');
    if (!inClockRange(t.now() + seconds * 1000)) throw new ControlError(400, 'BadRequest', CLOCK_RANGE);
    t.clock.advance(seconds * 1000);
    t.cache.clear();
    return clock(t);
  });

  scope.post('/keys/rotate', async (request) => {
    const t = scopedTenant(request);
    const retire = jsonField(request.body, 'retireAfterSeconds') ?? 86_400;
    if (typeof retire !== 'number' || retire < 0) throw new ControlError(400, 'BadRequest', 'retireAfterSeconds must be a number ≥ 0.');
    // The retiring key's end is a time the console and logs write out, like the clock's own.
    if (!inClockRange(t.now() + retire * 1000))
      throw new ControlError(400, 'BadRequest', `retireAfterSeconds must keep the retirement within the clock's range. ${CLOCK_RANGE}`);
    const previous = t.activeKey(ctx.machineKey).kid;
    const key = await newSigningKey();
    t.rotate(key, retire * 1000);
    return { kid: key.kid, previousKid: previous, published: t.publishedKeys(ctx.machineKey).map((k) => k.kid) };
  });

  scope.get('/requests', async (request) => ({ requests: scopedTenant(request).log.list() }));

  scope.delete('/requests', async (request, reply) => {
    scopedTenant(request).log.clear();
    return reply.code(204).send();
  });

  scope.post<{ Params: TenantParams & { user: string } }>('/users/:user/revoke-sessions', async (request) => {
    const t = scopedTenant(request);
    const ref = request.params.user;
    const user = t.directory.users.get(ref.toLowerCase()) ?? t.directory.userByLogin(ref);
    if (!user) throw new ControlError(404, 'NotFound', `No user ${ref} in tenant ${t.id}.`);
    t.tokensValidFrom.set(user.id.toLowerCase(), t.now());
    return { value: true };
  });
}

function replace(ctx: MockContext, t: TenantRuntime, fixture: TenantFixture, reply: FastifyReply): FastifyReply {
  if (fixture.id.toLowerCase() !== t.id) throw new ControlError(400, 'BadRequest', `The fixture's id ${fixture.id} is not this tenant's (${t.id}).`);
  const taken = fixture.verifiedDomains.find((d) => {
    const owner = ctx.tenants.byDomainName(d);
    return owner !== undefined && owner !== t;
  });
  if (taken) throw new ControlError(409, 'Conflict', `Domain ${taken} belongs to another tenant.`);
  t.replaceFixture(fixture);
  ctx.tenants.reindex(t);
  return reply.send(describeTenant(ctx.urls.login, t));
}

/**
 * A tenant's clock stays within years 1970–9999: every time the mock writes (ISO timestamps in
 * errors, logs and this API; `exp` in tokens) must be representable, or each answer would fail.
 */
const MAX_CLOCK_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const CLOCK_RANGE = 'The clock must stay between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.';
const inClockRange = (ms: number): boolean => ms >= 0 && ms <= MAX_CLOCK_MS;

function clock(t: TenantRuntime): { now: string; offsetMs: number } {
  return { now: new Date(t.now()).toISOString(), offsetMs: t.clock.offset };
}
