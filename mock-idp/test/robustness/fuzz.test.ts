import fc from 'fast-check';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, tokenPath, json, bridgeCode, bridgeRedeem, BRIDGE_AUTH } from '../support/mock-app.js';
import { expectSound, listRoutes, type RouteSpec, type SentRequest } from './support/invariants.js';
import { METHODS, encodePairs, mutateJwt, pct, requestFor, tenantSegment, text, valueFor, type Tokens } from './support/arbitraries.js';
import { FUZZ_SCALE, fuzzOptions as options, heapAfterGc } from './support/fuzz-settings.js';

/**
 * Property-based fuzzing (fast-check) over every route the mock serves — the login endpoints,
 * the authorize pages, token, logout, userinfo, Graph and the test-control API — with random and
 * mutated requests. Every answer must hold the invariants in support/invariants.ts (no 5xx,
 * nothing internal in a body, each refusal in its surface's shape); afterwards the mock still
 * answers and its heap, after a forced GC, is within 50 MiB of where it started.
 *
 * Bounded in time: each property stops at its run count or its time limit, whichever comes
 * first. The seed is random per run and printed on failure; FUZZ_SEED=<n> replays one, and
 * FUZZ_RUNS=<n> scales the run counts (e.g. 10 for a long local session).
 */

let m: TestMock;
let tokens: Tokens;
let routes: RouteSpec[];
let heapAtStart = 0;
/** A tenant of its own for the control API's fuzzing (faults, clocks and patches land there). */
const SCRATCH = '7e0c1d2b-4a5f-4c6d-8e9f-0a1b2c3d4e5f';

async function send(req: SentRequest) {
  const res = await m.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers ?? {},
    ...(req.payload !== undefined ? { payload: req.payload } : {}),
  });
  expectSound(req, res);
  return res;
}

beforeAll(async () => {
  m = await mockApp();
  routes = listRoutes(m.app);
  const app = json(
    await m.form(tokenPath(), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.bridge.appId,
      client_secret: CONTOSO.bridge.secret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  );
  const user = json(await bridgeRedeem(m, await bridgeCode(m)));
  tokens = {
    graphApp: String(app.access_token),
    graphUser: String(user.access_token),
    idToken: String(user.id_token),
    refreshToken: String(user.refresh_token),
  };
  const fixture = json(await m.inject({ method: 'GET', url: `/_mock/tenants/${T}` })).fixture as Record<string, unknown>;
  const created = await m.inject({
    method: 'POST',
    url: '/_mock/tenants',
    payload: { ...fixture, id: SCRATCH, displayName: 'Scratch', verifiedDomains: ['scratch.onmicrosoft.com'] },
  });
  expect(created.statusCode, created.body).toBe(201);
  // Warm up (JIT, lazily built caches, lazily loaded modules), then take the heap baseline.
  for (const r of fc.sample(requestFor(routes, tokens), { numRuns: 150, seed: 1 })) await send(r);
  heapAtStart = heapAfterGc();
});

afterAll(() => m?.close());

describe('fuzzing every route', () => {
  it('finds the routes to fuzz (login, authorize, token, logout, userinfo, Graph, control)', () => {
    const paths = routes.map((r) => r.path);
    for (const expected of [
      '/:tenant/oauth2/v2.0/token',
      '/:tenant/oauth2/v2.0/authorize',
      '/:tenant/oauth2/v2.0/logout',
      '/oidc/userinfo',
      '/_mock/tenants/:id/fixture',
      '/:tenant/discovery/v2.0/keys',
    ]) {
      expect(paths).toContain(expected);
    }
    expect(paths.some((p) => p.startsWith('/v1.0/'))).toBe(true);
  });

  it(
    'answers any request to any route within the invariants',
    async () => {
      const hit = new Set<string>();
      await fc.assert(
        fc.asyncProperty(
          requestFor(routes, tokens).filter((r) => !r.url.startsWith('/_mock/')),
          async (req) => {
            hit.add(req.url.split('?')[0]!);
            await send(req);
          },
        ),
        options(2500, 25),
      );
      expect(hit.size).toBeGreaterThan(50);
    },
    120_000 * FUZZ_SCALE,
  );

  it(
    'answers mutations of valid requests (dropped, duplicated, replaced, truncated parameters; other methods, content types, tenants)',
    async () => {
      const mutation = fc.record({
        template: fc.nat(),
        ops: fc.array(
          fc.record({
            kind: fc.constantFrom('drop', 'duplicate', 'replace', 'truncate', 'add', 'method', 'contentType', 'move', 'tenant', 'bearer', 'case'),
            index: fc.nat(),
            value: fc
              .nat()
              .chain((n) =>
                fc
                  .constantFrom(...Object.keys(BRIDGE_AUTH), 'grant_type', 'client_secret', 'code', 'refresh_token', 'scope', 'redirect_uri')
                  .chain((name) => valueFor(name, tokens).map((v) => ({ n, name, v }))),
              ),
            method: fc.constantFrom(...METHODS),
            contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=latin1', 'multipart/form-data'),
            tenant: tenantSegment,
            jwt: fc.tuple(fc.nat(), fc.jsonValue()),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      });
      await fc.assert(
        fc.asyncProperty(mutation, async ({ template, ops }) => {
          const base = await templates(template);
          let { method, tenant, params, where, bearer, contentType } = base;
          params = [...params];
          for (const op of ops) {
            const i = params.length > 0 ? op.index % params.length : 0;
            switch (op.kind) {
              case 'drop':
                params.splice(i, 1);
                break;
              case 'duplicate':
                if (params[i]) params.push([params[i]![0], op.value.n % 2 ? params[i]![1] : op.value.v]);
                break;
              case 'replace':
                if (params[i]) params[i] = [params[i]![0], op.value.v];
                break;
              case 'truncate':
                if (params[i]) params[i] = [params[i]![0], params[i]![1].slice(0, op.value.n % (params[i]![1].length + 1))];
                break;
              case 'add':
                params.push([op.value.name, op.value.v]);
                break;
              case 'method':
                method = op.method;
                break;
              case 'contentType':
                contentType = op.contentType;
                break;
              case 'move':
                where = where === 'query' ? 'form' : 'query';
                break;
              case 'tenant':
                tenant = op.tenant;
                break;
              case 'bearer':
                bearer = bearer ? mutateJwt(bearer, op.jwt[0], op.jwt[1]) : undefined;
                break;
              case 'case':
                if (params[i]) params[i] = [params[i]![0].toUpperCase(), params[i]![1]];
                break;
            }
          }
          const encoded = where === 'json' ? JSON.stringify(Object.fromEntries(params)) : encodePairs(params, 2);
          const headers: Record<string, string> = { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
          const inBody = where !== 'query' && method !== 'GET' && method !== 'HEAD';
          if (inBody) headers['content-type'] = contentType ?? (where === 'json' ? 'application/json' : 'application/x-www-form-urlencoded');
          const path = base.path.replace('{tenant}', pct(tenant));
          await send({
            method,
            url: where === 'query' || !inBody ? `${path}${encoded ? `?${encoded}` : ''}` : path,
            headers,
            ...(inBody ? { payload: encoded } : {}),
          });
        }),
        options(1200, 20),
      );
    },
    120_000 * FUZZ_SCALE,
  );

  it(
    'refuses forged, truncated and tampered tokens everywhere they are accepted',
    async () => {
      const targets = [
        { method: 'GET', url: '/v1.0/groups' },
        { method: 'GET', url: '/v1.0/me' },
        { method: 'GET', url: `/v1.0/users/${CONTOSO.users.adele.id}/memberOf` },
        { method: 'GET', url: '/oidc/userinfo' },
        { method: 'POST', url: `/${T}/users/${CONTOSO.users.adele.id}/getMemberObjects` },
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('graphApp', 'graphUser', 'idToken') as fc.Arbitrary<'graphApp' | 'graphUser' | 'idToken'>,
          fc.nat(),
          fc.jsonValue(),
          fc.constantFrom(...targets),
          fc.boolean(),
          async (which, how, claim, target, asRefresh) => {
            const original = tokens[which];
            const forged = mutateJwt(original, how, claim);
            const changed = signedPart(forged) !== signedPart(original) || !signatureOf(forged).equals(signatureOf(original));
            if (asRefresh) {
              // As a refresh token or client assertion at the token endpoint: never a token.
              const r = await send({
                method: 'POST',
                url: tokenPath(),
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                payload: new URLSearchParams({
                  grant_type: 'refresh_token',
                  client_id: CONTOSO.bridge.appId,
                  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
                  client_assertion: forged,
                  refresh_token: forged,
                }).toString(),
              });
              expect(r.statusCode).toBeGreaterThanOrEqual(400);
              return;
            }
            const r = await send({
              method: target.method,
              url: target.url,
              headers: { authorization: `Bearer ${forged}`, 'content-type': 'application/json' },
              ...(target.method === 'POST' ? { payload: '{"securityEnabledOnly":false}' } : {}),
            });
            if (changed) expect(r.statusCode, `${target.url} accepted a tampered token (${how % 12})`).toBeGreaterThanOrEqual(400);
          },
        ),
        options(800, 10),
      );
    },
    120_000 * FUZZ_SCALE,
  );

  it(
    'answers any use of the test-control API within the invariants (on a scratch tenant)',
    async () => {
      const controlPaths = fc.oneof(
        fc.constantFrom(
          '/_mock/health',
          '/_mock/tenants',
          `/_mock/tenants/${SCRATCH}`,
          `/_mock/tenants/${SCRATCH}/reset`,
          `/_mock/tenants/${SCRATCH}/fixture`,
          `/_mock/tenants/${SCRATCH}/clock`,
          `/_mock/tenants/${SCRATCH}/clock/advance`,
          `/_mock/tenants/${SCRATCH}/keys/rotate`,
          `/_mock/tenants/${SCRATCH}/requests`,
          `/_mock/tenants/${SCRATCH}/graph/faults`,
        ),
        fc
          .constantFrom(...Object.values(CONTOSO.users).map((u) => u.upn), CONTOSO.users.adele.id, 'nobody@x', '..')
          .map((u) => `/_mock/tenants/${SCRATCH}/users/${pct(u)}/revoke-sessions`),
        fc.oneof(fc.uuid().map(String), text.map(pct), fc.constantFrom('..', '%2e%2e', SCRATCH.toUpperCase())).map((id) => `/_mock/tenants/${id}`),
      );
      const controlBody = fc.oneof(
        fc.record(
          {
            now: fc.oneof(
              fc.integer(),
              fc.double(),
              fc.string(),
              fc.constantFrom(8.64e15, 8.64e15 + 1, -8.64e15 - 1, 1e300, '2030-01-01T00:00:00Z', 'not a date'),
            ),
          },
          { requiredKeys: [] },
        ),
        fc.record({ seconds: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e300, -1e300, 1e15)) }, { requiredKeys: [] }),
        fc.record({ retireAfterSeconds: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constantFrom(1e300, 0.5)) }, { requiredKeys: [] }),
        fc.array(
          fc.record(
            {
              op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'x'),
              path: fc.oneof(
                fc.constantFrom(
                  '/displayName',
                  '/users/0/displayName',
                  '/applications/0/passwordCredentials/0/endDateTime',
                  '/users/-',
                  '/id',
                  '/verifiedDomains/0',
                  '/users/999',
                  '',
                  '/',
                  '/__proto__/x',
                  '/constructor/prototype/x',
                  '/users/0/__proto__',
                ),
                text,
              ),
              from: fc.constantFrom('/users/0', '/groups/0', '/x'),
              value: fc.jsonValue(),
            },
            { requiredKeys: ['op', 'path'] },
          ),
          { maxLength: 3 },
        ),
        fc.record(
          {
            status: fc.constantFrom(429, 500, 503, 200, 418, -1),
            latencyMs: fc.constantFrom(0, 1, 5),
            path: fc.oneof(fc.constantFrom('*', '/v1.0/*'), text),
            pathRegex: fc.constantFrom('(a+)+$', '[', '.*'),
            count: fc.integer(),
            rate: fc.double(),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue({ maxDepth: 3 }),
      );
      await fc.assert(
        fc.asyncProperty(
          controlPaths,
          fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
          controlBody,
          fc.constantFrom('application/json', 'application/json-patch+json', 'text/plain', 'application/x-www-form-urlencoded'),
          fc.boolean(),
          async (url, method, body, type, raw) => {
            const payload = raw ? String(JSON.stringify(body)).slice(0, -1) : JSON.stringify(body);
            const withBody = method !== 'GET' && method !== 'DELETE';
            await send({ method, url, headers: withBody ? { 'content-type': type } : {}, ...(withBody && payload !== undefined ? { payload } : {}) });
            // The scratch tenant may have been deleted: bring it back for the next run.
            if ((await m.inject({ method: 'GET', url: `/_mock/tenants/${SCRATCH}` })).statusCode === 404) {
              const fixture = json(await m.inject({ method: 'GET', url: `/_mock/tenants/${T}` })).fixture as Record<string, unknown>;
              await m.inject({
                method: 'POST',
                url: '/_mock/tenants',
                payload: { ...fixture, id: SCRATCH, displayName: 'Scratch', verifiedDomains: ['scratch.onmicrosoft.com'] },
              });
            }
          },
        ),
        options(800, 12),
      );
    },
    120_000 * FUZZ_SCALE,
  );

  it('still answers afterwards, with the heap (after a forced GC) within 50 MiB of where it started', async () => {
    const discovery = await m.inject({ method: 'GET', url: `/${T}/v2.0/.well-known/openid-configuration` });
    expect(discovery.statusCode).toBe(200);
    const token = await m.form(tokenPath(), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
    });
    expect(token.statusCode, token.body).toBe(200);
    const grown = heapAfterGc() - heapAtStart;
    expect(grown / 2 ** 20, `heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(50);
  });
});

const signedPart = (t: string): string => t.split('.').slice(0, 2).join('.');
const signatureOf = (t: string): Buffer => Buffer.from(t.split('.')[2] ?? '', 'base64url');

interface Template {
  method: string;
  /** With `{tenant}` where the tenant segment goes. */
  path: string;
  tenant: string;
  params: Array<[string, string]>;
  where: 'query' | 'form' | 'json';
  bearer?: string | undefined;
  contentType?: string | undefined;
}

/** Valid requests to start mutating from (a fresh code each time one is needed). */
async function templates(n: number): Promise<Template> {
  const ingestion = { client_id: CONTOSO.ingestion.appId, client_secret: CONTOSO.ingestion.secret };
  const bridge = { client_id: CONTOSO.bridge.appId, client_secret: CONTOSO.bridge.secret };
  const all: Array<() => Promise<Template> | Template> = [
    () => ({
      method: 'POST',
      path: '/{tenant}/oauth2/v2.0/token',
      tenant: T,
      where: 'form',
      params: Object.entries({ grant_type: 'client_credentials', ...ingestion, scope: `${CONTOSO.openMetadataUi.apiUri}/.default` }),
    }),
    () => ({
      method: 'POST',
      path: '/{tenant}/oauth2/token',
      tenant: T,
      where: 'form',
      params: Object.entries({ grant_type: 'client_credentials', ...bridge, resource: 'https://graph.microsoft.com' }),
    }),
    () => ({
      method: 'POST',
      path: '/{tenant}/oauth2/v2.0/token',
      tenant: T,
      where: 'form',
      params: Object.entries({ grant_type: 'refresh_token', ...bridge, refresh_token: tokens.refreshToken }),
    }),
    async () => ({
      method: 'POST',
      path: '/{tenant}/oauth2/v2.0/token',
      tenant: T,
      where: 'form',
      params: Object.entries({ grant_type: 'authorization_code', ...bridge, code: await bridgeCode(m), redirect_uri: CONTOSO.bridge.redirectUri }),
    }),
    () => ({ method: 'GET', path: '/{tenant}/oauth2/v2.0/authorize', tenant: T, where: 'query', params: Object.entries(BRIDGE_AUTH) }),
    () => ({
      method: 'GET',
      path: '/{tenant}/oauth2/v2.0/authorize',
      tenant: T,
      where: 'query',
      params: Object.entries({
        client_id: CONTOSO.bridge.appId,
        redirect_uri: CONTOSO.bridge.redirectUri,
        response_type: 'code',
        scope: 'openid',
        state: '<b>"st"</b>',
        login_hint: '<script>alert(1)</script>',
      }),
    }),
    () => ({
      method: 'POST',
      path: '/{tenant}/oauth2/authorize',
      tenant: T,
      where: 'form',
      params: Object.entries({ ...BRIDGE_AUTH, response_mode: 'form_post', nonce: 'n' }),
    }),
    () => ({
      method: 'GET',
      path: '/{tenant}/oauth2/v2.0/logout',
      tenant: T,
      where: 'query',
      params: Object.entries({ post_logout_redirect_uri: CONTOSO.bridge.redirectUri, id_token_hint: tokens.idToken, state: 's' }),
    }),
    () => ({ method: 'GET', path: '/oidc/userinfo', tenant: T, where: 'query', params: [], bearer: tokens.graphUser }),
    () => ({
      method: 'GET',
      path: '/v1.0/groups',
      tenant: T,
      where: 'query',
      params: Object.entries({ $top: '2', $select: 'id,displayName', $filter: 'securityEnabled eq true' }),
      bearer: tokens.graphApp,
    }),
    () => ({ method: 'GET', path: '/v1.0/me/memberOf', tenant: T, where: 'query', params: [], bearer: tokens.graphUser }),
    () => ({
      method: 'POST',
      path: `/v1.0/users/${CONTOSO.users.adele.id}/getMemberGroups`,
      tenant: T,
      where: 'json',
      params: [['securityEnabledOnly', 'true']],
      bearer: tokens.graphApp,
    }),
    () => ({ method: 'GET', path: '/{tenant}/v2.0/.well-known/openid-configuration', tenant: T, where: 'query', params: [] }),
    () => ({
      method: 'POST',
      path: `/{tenant}/users/${CONTOSO.users.adele.id}/getMemberObjects`,
      tenant: T,
      where: 'json',
      params: [['securityEnabledOnly', 'false']],
      bearer: tokens.graphUser,
    }),
  ];
  return all[n % all.length]!();
}
