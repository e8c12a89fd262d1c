import fc from 'fast-check';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, CONTOSO, json } from '../support/mock-app.js';
import { expectSound, listRoutes, type SentRequest } from './support/invariants.js';
import { METHODS, huge, pct, text } from './support/arbitraries.js';
import { FUZZ_SCALE, fuzzOptions as options, heapAfterGc } from './support/fuzz-settings.js';

/**
 * Property-based fuzzing (fast-check) of the test-control API (/_mock/) alone: every route it
 * serves, with any method, content type and JSON body — hostile JSON Patch paths (`__proto__`,
 * `constructor/prototype`), bodies nested past the depth limit, huge values and generate
 * counts — and the headers of web pages and rebinding attacks (Origin, Host, Sec-Fetch-Site,
 * Authorization, a non-loopback peer). Every answer holds support/invariants.ts (no 5xx,
 * nothing internal, the control API's own error shape); no request from a page, a rebound host
 * or another machine ever succeeds; Object.prototype gains nothing; afterwards the mock still
 * answers and its heap, after a forced GC, is within 50 MiB of where it started.
 *
 * Bounded in time like fuzz.test.ts: FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> scales it.
 */

/** The scratch tenant the fuzzer patches, resets and deletes (Contoso stays as it is). */
const SCRATCH = '5c0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c';
const PORT = 8443;

let m: TestMock;
let contoso: Record<string, unknown>;
let heapAtStart = 0;
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

/** Scratch back as it was, and every tenant the fuzzer created gone (they would count towards the cap and the heap). */
async function restore(): Promise<void> {
  for (const t of m.ctx.tenants.all()) if (t.id !== T && t.id !== SCRATCH) m.ctx.tenants.remove(t.id);
  if (!m.ctx.tenants.get(SCRATCH)) {
    const r = await m.inject({
      method: 'POST',
      url: '/_mock/tenants',
      payload: { ...contoso, id: SCRATCH, displayName: 'Scratch', verifiedDomains: ['scratch-control.onmicrosoft.com'] },
    });
    expect(r.statusCode, r.body).toBe(201);
  }
}

async function send(req: SentRequest & { remoteAddress?: string }) {
  const res = await m.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers ?? {},
    ...(req.remoteAddress ? { remoteAddress: req.remoteAddress } : {}),
    ...(req.payload !== undefined ? { payload: req.payload } : {}),
  });
  expectSound(req, res);
  return res;
}

// --- Arbitraries ---------------------------------------------------------------------------

const idSegment = fc.oneof(
  { weight: 6, arbitrary: fc.constant(SCRATCH) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(SCRATCH.toUpperCase(), 'scratch-control.onmicrosoft.com', '..', '%2e%2e', '__proto__', 'constructor', 'x'.repeat(600)),
  },
  { weight: 1, arbitrary: fc.uuid().map(String) },
  { weight: 1, arbitrary: text.map(pct) },
);
const userSegment = fc.oneof(fc.constantFrom(...Object.values(CONTOSO.users).flatMap((u) => [u.upn, u.id]), '__proto__', 'nobody@x'), text.map(pct));
const faultSegment = fc.oneof(fc.constantFrom('1', '0', '-1', '__proto__', 'constructor'), fc.uuid().map(String), text.map(pct));

const HOSTILE_PATHS = [
  '/__proto__/spa',
  '/__proto__/accountEnabled',
  '/__proto__/x',
  '/constructor/prototype/spa',
  '/prototype',
  '/applications/0/__proto__/spa',
  '/users/0/constructor/prototype/accountEnabled',
  '/applications/0/constructor',
  '/hasOwnProperty',
  '/toString',
  '/users/-',
  '/users/01',
  '/users//x',
  '/users/length',
  '/~0~1',
  '',
  '/',
  '/displayName',
  '/generate',
  '/users/0/displayName',
  '/applications/0/spa/redirectUris/-',
];
const jsonPatch = fc.array(
  fc.record(
    {
      op: fc.constantFrom('add', 'remove', 'replace', 'test', 'move', 'copy', '__proto__'),
      path: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HOSTILE_PATHS) }, { weight: 1, arbitrary: text }),
      value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({ redirectUris: ['https://evil.example/steal'] }), fc.constant(false)),
    },
    { requiredKeys: ['op', 'path'] },
  ),
  { maxLength: 4 },
);

/** Tenants asking to generate around the limits (10,000 users, 5,000 groups by default; under them, small counts: the run stays short). */
const generating = fc
  .record({ users: fc.constantFrom(0, 10, 500, 10_001, 200_000, 1_000_000, -1, 1.5), groups: fc.constantFrom(0, 5, 100, 5_001, 20_000), seed: fc.nat(5) })
  .chain((g) =>
    fc.uuid().map((id) => ({
      extends: 'contoso',
      id: String(id),
      displayName: 'Generated',
      verifiedDomains: [`g${String(id).slice(0, 8)}.example.com`],
      generate: { seed: g.seed, users: g.users, groups: g.groups },
    })),
  );

const nested = (levels: number, open: string, close: string, inner = '1'): string => `${open.repeat(levels)}${inner}${close.repeat(levels)}`;

/** A body as sent: JSON of any shape, or text that only looks like it. */
const body: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 3, arbitrary: jsonPatch.map((p) => JSON.stringify(p)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ ...{ id: SCRATCH, displayName: 'Scratch', verifiedDomains: ['scratch-control.onmicrosoft.com'] } })) },
  { weight: 1, arbitrary: generating.map((t) => JSON.stringify(t)) },
  {
    weight: 1,
    arbitrary: fc
      .record(
        {
          now: fc.oneof(fc.integer(), fc.string(), fc.constant(8.64e15)),
          seconds: fc.oneof(fc.integer(), fc.double()),
          retireAfterSeconds: fc.oneof(fc.integer(), fc.constant(1e300)),
          status: fc.constantFrom(429, 503),
          path: fc.oneof(text, fc.constant('*********!')),
          pathRegex: fc.constantFrom('(a|a)+$', '[', '.*'),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 60, max: 70 })
      .chain((n) => fc.constantFrom(nested(n, '[', ']'), nested(n, '{"a":', '}'), `[{"op":"add","path":"/x","value":${nested(n, '[', ']')}}]`)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      nested(100_000, '[', ']', ''),
      `{"users":${nested(20_000, '{"a":', '}')}}`,
      `[{"op":"replace","path":"/displayName","value":${nested(100_000, '[', ']', '')}}]`,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"spa":{"redirectUris":["https://evil.example/steal"]}}}',
      '[{"op":"add","path":"/x","value":{"__proto__":{"accountEnabled":false}}}]',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"a":',
      '',
      'null',
      '[]',
    ),
  },
  { weight: 1, arbitrary: huge.map((h) => JSON.stringify({ displayName: h, now: h, path: h })) },
  { weight: 1, arbitrary: fc.constant(`{"x":"${'y'.repeat(1024 * 1024 + 10)}"}`) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json-patch+json',
  'application/merge-patch+json',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'x',
  undefined,
] as const;

/** Who sends it: test code, a page (own origin, another site, another port), a rebinding attack, another machine. */
const callerHeaders = {
  origin: fc.constantFrom(
    `http://localhost:${PORT}`,
    'https://localhost:8443',
    'https://evil.example',
    `http://localhost:${PORT + 1}`,
    'null',
    'http://rebind.attacker.example',
  ),
  host: fc.constantFrom(
    'localhost',
    `localhost:${PORT}`,
    '127.0.0.1:1',
    '[::1]:8443',
    `rebind.attacker.example:${PORT}`,
    'evil@localhost',
    '10.0.0.8',
    'docker:49153',
  ),
  secFetchSite: fc.constantFrom('same-origin', 'none', 'cross-site', 'same-site'),
  authorization: fc.constantFrom('Bearer x', 'Basic eDp5', 'Bearer '),
  remoteAddress: fc.constantFrom('127.0.0.1', '::1', '203.0.113.9', '172.17.0.1'),
};
type Caller = { [K in keyof typeof callerHeaders]?: string };
const caller: fc.Arbitrary<Caller> = fc.oneof(
  // Mostly test code, so that the routes themselves are reached.
  { weight: 5, arbitrary: fc.constant({}) },
  // One thing of a page or an attack at a time…
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...(Object.keys(callerHeaders) as Array<keyof typeof callerHeaders>))
      .chain((k) => callerHeaders[k].map((v): Caller => ({ [k]: v }))),
  },
  // …or any mix of them.
  { weight: 1, arbitrary: fc.record(callerHeaders, { requiredKeys: [] }) },
);

/** Whether the guard must refuse this caller (test code sends none of these). */
function isForeign(c: Caller, method: string, type: string | undefined, payload: string | undefined): boolean {
  // mockApp's mock: HTTPS, public URL https://localhost:8443 (every other origin listed is http).
  const ownOrigin = c.origin === undefined || c.origin === 'https://localhost:8443';
  const knownHost = c.host === undefined || /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(c.host);
  const loopback = c.remoteAddress === undefined || c.remoteAddress === '127.0.0.1' || c.remoteAddress === '::1';
  const jsonBody =
    !['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ||
    (type === undefined ? payload === undefined || payload === '' : /^application\/([\w.+-]+\+)?json(;|$)/.test(type));
  return (
    c.authorization !== undefined || !ownOrigin || !knownHost || !loopback || c.secFetchSite === 'cross-site' || c.secFetchSite === 'same-site' || !jsonBody
  );
}

beforeAll(async () => {
  m = await mockApp();
  contoso = json(await m.inject({ method: 'GET', url: `/_mock/tenants/${T}` })).fixture as Record<string, unknown>;
  await restore();
  // Warm up (JIT, the lazily loaded fixture reader), then take the heap baseline.
  for (let i = 0; i < 20; i++)
    await m.inject({
      method: 'PATCH',
      url: `/_mock/tenants/${SCRATCH}/fixture`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([{ op: 'replace', path: '/displayName', value: `Scratch ${i}` }]),
    });
  heapAtStart = heapAfterGc();
});
afterAll(() => m?.close());

describe('fuzzing the test-control API', () => {
  it(
    'answers anything sent to any /_mock route within the invariants; callers it must refuse never succeed; no prototype changes',
    async () => {
      const routes = listRoutes(m.app).filter((r) => r.path.startsWith('/_mock'));
      expect(routes.map((r) => r.path)).toEqual(
        expect.arrayContaining([
          '/_mock/tenants',
          '/_mock/tenants/:id/fixture',
          '/_mock/tenants/:id/users/:user/revoke-sessions',
          '/_mock/tenants/:id/keys/rotate',
        ]),
      );
      const request = fc
        .record({
          route: fc.constantFrom(...routes),
          methodChoice: fc.nat(),
          wrongMethod: fc.constantFrom(...METHODS),
          useWrong: fc.nat(5).map((n) => n === 0),
          type: fc.constantFrom(...CONTENT_TYPES),
          body,
          caller,
          id: idSegment,
          user: userSegment,
          fault: faultSegment,
        })
        .map((r) => {
          const path = r.route.path.replace(':id', r.id).replace(':user', r.user).replace(':faultId', r.fault);
          const method = r.useWrong ? r.wrongMethod : (r.route.methods[r.methodChoice % r.route.methods.length] ?? 'GET');
          const sendsBody = method !== 'GET' && method !== 'HEAD' && r.body !== undefined;
          const headers: Record<string, string> = {};
          if (r.type !== undefined && sendsBody) headers['content-type'] = r.type;
          const c = r.caller;
          if (c.origin !== undefined) headers.origin = c.origin;
          if (c.host !== undefined) headers.host = c.host;
          if (c.secFetchSite !== undefined) headers['sec-fetch-site'] = c.secFetchSite;
          if (c.authorization !== undefined) headers.authorization = c.authorization;
          return {
            req: {
              method,
              url: path,
              headers,
              ...(sendsBody ? { payload: r.body } : {}),
              ...(c.remoteAddress ? { remoteAddress: c.remoteAddress } : {}),
            } as SentRequest & { remoteAddress?: string },
            foreign: isForeign(c, method, sendsBody ? r.type : undefined, sendsBody ? r.body : undefined),
          };
        });
      let refused = 0;
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(request, async ({ req, foreign }) => {
          const res = await send(req);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (foreign) {
            expect(
              res.statusCode,
              `${req.method} ${req.url} ${JSON.stringify(req.headers)} answered ${res.statusCode} ${res.body.slice(0, 200)}`,
            ).toBeGreaterThanOrEqual(400);
            refused++;
          }
          expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
          expect(({} as { spa?: unknown; accountEnabled?: unknown; x?: unknown }).spa).toBeUndefined();
          await restore();
        }),
        options(2500, 12),
      );
      expect(refused).toBeGreaterThan(0);
      // The fuzzer reached the routes themselves too, not only the guard.
      const succeeded = [...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0);
      if (process.env.FUZZ_DEBUG) console.log(Object.fromEntries(statuses));
      expect(succeeded, JSON.stringify(Object.fromEntries(statuses))).toBeGreaterThan(0);
    },
    120_000 * FUZZ_SCALE,
  );

  it('still answers afterwards — sign-in, a new tenant — with the heap (after a forced GC) within 50 MiB of where it started', async () => {
    const discovery = await m.inject({ method: 'GET', url: `/${T}/v2.0/.well-known/openid-configuration` });
    expect(discovery.statusCode).toBe(200);
    const token = await m.form(`/${T}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      scope: `${CONTOSO.openMetadataUi.apiUri}/.default`,
    });
    expect(token.statusCode, token.body).toBe(200);
    const created = await m.inject({
      method: 'POST',
      url: '/_mock/tenants',
      payload: { ...contoso, id: '5c0a1b2c-3d4e-4f5a-8b6c-000000000001', displayName: 'After', verifiedDomains: ['after-fuzz.example.com'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    await restore();
    const grown = heapAfterGc() - heapAtStart;
    expect(grown / 2 ** 20, `heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(50);
  });
});
