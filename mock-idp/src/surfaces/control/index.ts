import type { FastifyInstance, FastifyPluginCallback, FastifyReply } from 'fastify';
import type { MockContext } from '../../context.js';
import { FixtureError } from '../../directory/fixture-issues.js';
import type { FixtureDocument, TenantFixture } from '../../directory/model.js';
import { newSigningKey } from '../../keys/signing-keys.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { applyPatch, PatchError } from '../../support/json-patch.js';
import { registerFaultRoutes } from './faults.js';
import { fail, jsonBody, tenant } from './control-reply.js';
import { controlGuard } from './control-guard.js';
import { controlBodyProblem } from './control-body.js';

/**
 * The test-control API under /_mock/ — deliberately apart from Entra's routes and shaped like
 * nothing Entra serves. Everything is scoped per tenant, so parallel test runs, each in its own
 * tenant, never see each other. Loopback callers only, unless the mock was started with
 * allowRemoteControl or the caller sends the control credential; never web pages of other
 * origins, nor DNS-rebound host names (control-guard.ts). Bodies are JSON, at most 64 levels
 * deep (control-body.ts); what one request may generate, and how many tenants may exist, is
 * bounded (config/options.ts CONTROL_LIMIT_DEFAULTS). The typed client is `MockEntraControl`
 * (control-client.ts).
 *
 *   GET    /_mock/health
 *   GET    /_mock/tenants                              list
 *   POST   /_mock/tenants                              create (body: a tenant fixture; may extend contoso and generate)
 *   GET    /_mock/tenants/:id                          the tenant's current fixture and clock
 *   DELETE /_mock/tenants/:id                          delete
 *   POST   /_mock/tenants/:id/reset                    back to its fixture, real time, machine keys
 *   PUT    /_mock/tenants/:id/fixture                  replace the fixture
 *   PATCH  /_mock/tenants/:id/fixture                  JSON Patch (RFC 6902) the fixture
 *   GET    /_mock/tenants/:id/clock                    the tenant's now
 *   PUT    /_mock/tenants/:id/clock                    {"now": ISO-8601 | epoch ms}
 *   POST   /_mock/tenants/:id/clock/advance            {"seconds": n} (negative goes back)
 *   POST   /_mock/tenants/:id/keys/rotate              {"retireAfterSeconds": n} (default 86400)
 *   GET    /_mock/tenants/:id/requests                 the request log; DELETE clears it
 *   POST   /_mock/tenants/:id/users/:user/revoke-sessions   like Graph's revokeSignInSessions
 *   POST/GET/DELETE /_mock/tenants/:id/graph/faults[/:faultId]  Graph faults: 429, 5xx, latency (faults.ts)
 */
/** The test-control API's surface (its routes register themselves under `/_mock`). */
export function controlSurface(ctx: MockContext): FastifyPluginCallback {
  return (app, _options, done) => {
    registerControlRoutes(app, ctx);
    done();
  };
}

export function registerControlRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.register(
    async (control) => {
      const guard = controlGuard(ctx);
      control.addHook('onRequest', async (request, reply) => {
        request.notes.endpoint = 'control';
        const refusal = guard(request);
        return refusal ? fail(reply, refusal.status, refusal.code, refusal.message) : undefined;
      });
      // Before any route reads the body: bounded depth (no recursion below may overflow), no `__proto__`.
      control.addHook('preValidation', async (request, reply) => {
        const json = jsonBody(request.body);
        const problem = json === undefined ? undefined : controlBodyProblem(json);
        return problem ? fail(reply, 400, 'BadRequest', problem) : undefined;
      });
      // Whatever still fails answers in this API's shape, never Entra's token-endpoint JSON.
      control.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
        const status = error.statusCode;
        if (status === 413) return fail(reply, 413, 'BadRequest', 'The request body is too large.');
        if (status !== undefined && status < 500) return fail(reply, 400, 'BadRequest', 'The request URL or body is not valid.');
        request.log.error({ err: error }, 'unexpected error in the test-control API');
        return fail(reply, 500, 'InternalError', 'The mock failed on this request: that is a bug in mock-entra, please report it.');
      });

      control.get('/health', async () => ({ status: 'ok', tenants: ctx.tenants.all().length }));

      control.get('/tenants', async () => ({
        tenants: ctx.tenants.all().map((t) => ({ id: t.id, displayName: t.directory.displayName, verifiedDomains: t.directory.domains })),
      }));

      control.post('/tenants', async (request, reply) => {
        // Counted first: at the limit, nothing is parsed or generated.
        const max = ctx.options.maxTenants;
        if (ctx.tenants.all().length >= max) {
          return fail(
            reply,
            409,
            'LimitExceeded',
            `This mock holds ${ctx.tenants.all().length} tenants and allows at most ${max}: delete one (DELETE /_mock/tenants/{id}), or start the mock with --max-tenants N (MOCK_ENTRA_MAX_TENANTS) to allow more.`,
          );
        }
        const fixture = await tenantFromBody(ctx, request.body, reply);
        if (!fixture) return reply;
        if (ctx.tenants.get(fixture.id)) return fail(reply, 409, 'Conflict', `Tenant ${fixture.id} exists already.`);
        const taken = fixture.verifiedDomains.find((d) => ctx.tenants.byDomainName(d));
        if (taken) return fail(reply, 409, 'Conflict', `Domain ${taken} belongs to another tenant.`);
        const t = ctx.tenants.add(fixture);
        return reply.code(201).send(describe(ctx, t));
      });

      control.get('/tenants/:id', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        return t ? { ...describe(ctx, t), fixture: t.currentFixture() } : reply;
      });

      control.delete('/tenants/:id', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        ctx.tenants.remove(t.id);
        return reply.code(204).send();
      });

      control.post('/tenants/:id/reset', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        t.reset();
        ctx.tenants.reindex(t);
        return reply.code(204).send();
      });

      control.put('/tenants/:id/fixture', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        const fixture = await tenantFromBody(ctx, request.body, reply);
        if (!fixture) return reply;
        return replace(ctx, t, fixture, reply);
      });

      control.patch('/tenants/:id/fixture', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        const body = jsonBody(request.body);
        if (body === undefined) return fail(reply, 400, 'BadRequest', 'The body must be a JSON Patch document (a JSON array).');
        let patched: TenantFixture;
        try {
          patched = applyPatch(t.currentFixture(), body);
        } catch (e) {
          if (e instanceof PatchError) return fail(reply, 400, 'BadRequest', e.message);
          throw e;
        }
        const fixture = await validTenant(ctx, patched, reply);
        return fixture ? replace(ctx, t, fixture, reply) : reply;
      });

      control.get('/tenants/:id/clock', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        return t ? clock(t) : reply;
      });

      control.put('/tenants/:id/clock', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        const now = (jsonBody(request.body) as { now?: unknown } | undefined)?.now;
        const ms = typeof now === 'number' ? now : typeof now === 'string' ? Date.parse(now) : NaN;
        if (!Number.isFinite(ms)) return fail(reply, 400, 'BadRequest', 'Send {"now": "<ISO-8601 time>"} or {"now": <epoch milliseconds>}.');
        if (!inClockRange(ms)) return fail(reply, 400, 'BadRequest', CLOCK_RANGE);
        t.clock.set(ms);
        t.cache.clear();
        return clock(t);
      });

      control.post('/tenants/:id/clock/advance', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        const seconds = (jsonBody(request.body) as { seconds?: unknown } | undefined)?.seconds;
        if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return fail(reply, 400, 'BadRequest', 'Send {"seconds": <number>}.');
        if (!inClockRange(t.now() + seconds * 1000)) return fail(reply, 400, 'BadRequest', CLOCK_RANGE);
        t.clock.advance(seconds * 1000);
        t.cache.clear();
        return clock(t);
      });

      control.post('/tenants/:id/keys/rotate', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        const retire = (jsonBody(request.body) as { retireAfterSeconds?: unknown } | undefined)?.retireAfterSeconds ?? 86_400;
        if (typeof retire !== 'number' || retire < 0) return fail(reply, 400, 'BadRequest', 'retireAfterSeconds must be a number ≥ 0.');
        const previous = t.activeKey(ctx.machineKey).kid;
        const key = await newSigningKey();
        t.rotate(key, retire * 1000);
        return { kid: key.kid, previousKid: previous, published: t.publishedKeys(ctx.machineKey).map((k) => k.kid) };
      });

      control.get('/tenants/:id/requests', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        return t ? { requests: t.log.list() } : reply;
      });

      control.delete('/tenants/:id/requests', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        t.log.clear();
        return reply.code(204).send();
      });

      control.post('/tenants/:id/users/:user/revoke-sessions', async (request, reply) => {
        const t = tenant(ctx, request, reply);
        if (!t) return reply;
        const ref = (request.params as { user: string }).user;
        const user = t.directory.users.get(ref.toLowerCase()) ?? t.directory.userByLogin(ref);
        if (!user) return fail(reply, 404, 'NotFound', `No user ${ref} in tenant ${t.id}.`);
        t.tokensValidFrom.set(user.id.toLowerCase(), t.now());
        return { value: true };
      });

      registerFaultRoutes(control, ctx);
    },
    { prefix: '/_mock' },
  );
}

/** A tenant fixture, or a fixture document with exactly one tenant. */
async function tenantFromBody(ctx: MockContext, body: unknown, reply: FastifyReply): Promise<TenantFixture | undefined> {
  const json = jsonBody(body);
  if (json === undefined) {
    fail(reply, 400, 'BadRequest', 'The body must be JSON: a tenant fixture, or a fixture document with one tenant.');
    return undefined;
  }
  // `null`, a number, a string: not a document; the validator says what a tenant must be.
  const maybeDoc = (typeof json === 'object' && json !== null ? json : {}) as Partial<FixtureDocument>;
  if (Array.isArray(maybeDoc.tenants)) {
    if (maybeDoc.tenants.length !== 1) {
      fail(reply, 400, 'BadRequest', 'A fixture document sent here must hold exactly one tenant.');
      return undefined;
    }
    return validTenant(ctx, maybeDoc.tenants[0], reply);
  }
  return validTenant(ctx, json, reply);
}

/**
 * The tenant resolved (`extends: contoso`, `generate`) and validated. `extends` may not name a
 * file here: the control API creates tenants for tests and does not read the mock's disk.
 */
async function validTenant(ctx: MockContext, t: unknown, reply: FastifyReply): Promise<TenantFixture | undefined> {
  const tooMany = generateOverLimit(ctx, t);
  if (tooMany) {
    fail(reply, 400, 'LimitExceeded', tooMany);
    return undefined;
  }
  try {
    // Loaded on first use: the fixture reader (YAML, ajv) is not needed to start serving.
    const { resolveFixture } = await import('../../directory/load-fixture.js');
    return (await resolveFixture({ tenants: [t] }, '(request body)', { files: false })).tenants[0];
  } catch (e) {
    if (!(e instanceof FixtureError)) throw e;
    fail(reply, 400, 'InvalidFixture', e.message, e.issues);
    return undefined;
  }
}

/**
 * Generation asked of the control API beyond its limits (config/options.ts): refused before
 * anything is generated, as the event loop would be held while it runs. The spec's shape is the
 * validator's to judge; only counts above the limits are refused here.
 */
function generateOverLimit(ctx: MockContext, t: unknown): string | undefined {
  const generate = typeof t === 'object' && t !== null && Object.hasOwn(t, 'generate') ? (t as { generate: unknown }).generate : undefined;
  if (typeof generate !== 'object' || generate === null) return undefined;
  const { users, groups } = generate as { users?: unknown; groups?: unknown };
  const limits = [
    { what: 'users', asked: users, max: ctx.options.maxGeneratedUsers, flag: '--max-generated-users N (MOCK_ENTRA_MAX_GENERATED_USERS)' },
    { what: 'groups', asked: groups, max: ctx.options.maxGeneratedGroups, flag: '--max-generated-groups N (MOCK_ENTRA_MAX_GENERATED_GROUPS)' },
  ];
  for (const { what, asked, max, flag } of limits) {
    if (typeof asked === 'number' && asked > max) {
      return `generate.${what} is ${asked}: the test-control API generates at most ${max} ${what} per request. Start the mock with ${flag} to allow more, or load the tenant from a fixture file when the mock starts (those are not bound by this limit).`;
    }
  }
  return undefined;
}

function replace(ctx: MockContext, t: TenantRuntime, fixture: TenantFixture, reply: FastifyReply): FastifyReply {
  if (fixture.id.toLowerCase() !== t.id) return fail(reply, 400, 'BadRequest', `The fixture's id ${fixture.id} is not this tenant's (${t.id}).`);
  const taken = fixture.verifiedDomains.find((d) => {
    const owner = ctx.tenants.byDomainName(d);
    return owner !== undefined && owner !== t;
  });
  if (taken) return fail(reply, 409, 'Conflict', `Domain ${taken} belongs to another tenant.`);
  t.replaceFixture(fixture);
  ctx.tenants.reindex(t);
  return reply.send(describe(ctx, t));
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

function describe(ctx: MockContext, t: TenantRuntime): Record<string, unknown> {
  const base = ctx.urls.login;
  return {
    id: t.id,
    displayName: t.directory.displayName,
    verifiedDomains: t.directory.domains,
    authority: `${base}/${t.id}`,
    discoveryUrl: `${base}/${t.id}/v2.0/.well-known/openid-configuration`,
    issuer: `${base}/${t.id}/v2.0`,
  };
}
