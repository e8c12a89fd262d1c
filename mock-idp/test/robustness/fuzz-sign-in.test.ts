import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/errors/catalog.js';
import { mockApp, type TestMock, T, CONTOSO } from '../support/mock-app.js';
import { text, huge } from './support/arbitraries.js';
import { expectSound, type SentRequest } from './support/invariants.js';
import { FUZZ_SCALE, fuzzOptions as options } from './support/fuzz-settings.js';

/**
 * Fuzzing the sign-in pages' actions (issue 9): the forms' own fields — mock_action, loginfmt,
 * passwd, consent, mock_sid, the one-time page token (flowToken) — and the automation's
 * mock_login / mock_password, with real, used, forged, huge and unicode values, real and broken
 * session cookies, GET and POST. Every answer holds the suite's invariants (no 5xx, nothing
 * internal, refusals in Entra's shape); a 200 error page names a catalog code; and a consent
 * form without its page's fresh token never brings a code back.
 *
 * About 10 s by default; FUZZ_RUNS=<n> scales the run count and time, FUZZ_SEED=<n> replays.
 */

let m: TestMock;
/** A copy of Contoso where Adele has a password and nobody consented: every page of the journey shows. */
const PW_TENANT = '9a1c2e3f-0000-4000-8000-00000000f022';
const PASSWORD = 'Fuzz-P@ss';
const ADELE = CONTOSO.users.adele.upn;
const BRIDGE = {
  client_id: CONTOSO.bridge.appId,
  response_type: 'code',
  redirect_uri: CONTOSO.bridge.redirectUri,
  scope: 'openid profile User.Read',
  state: 'fz',
};

let validCookie = '';
let pwCookie = '';
let usedToken = '';
let realSid = '';

const authorizeUrl = (tenant: string, q: Record<string, string> = {}): string =>
  `/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams({ ...BRIDGE, ...q }).toString()}`;
const cookieOf = (r: LightMyRequestResponse): string => {
  const raw = r.headers['set-cookie'];
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((c) => c.split(';')[0]!).find((c) => c.startsWith('ESTSAUTH=') && c.length > 9) ?? '';
};
const tokenOf = (html: string): string => /name="flowToken" value="([^"]+)"/.exec(html)?.[1] ?? '';

beforeAll(async () => {
  m = await mockApp();
  const fixture = JSON.parse((await m.inject({ method: 'GET', url: `/_mock/tenants/${T}` })).body).fixture as {
    users: Array<{ userPrincipalName: string }>;
  } & Record<string, unknown>;
  const created = await m.inject({
    method: 'POST',
    url: '/_mock/tenants',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({
      ...fixture,
      id: PW_TENANT,
      displayName: 'Fuzz',
      verifiedDomains: ['fuzz-signin.example.com'],
      oauth2PermissionGrants: [],
      users: fixture.users.map((u) => (u.userPrincipalName === ADELE ? { ...u, password: PASSWORD } : u)),
    }),
  });
  expect(created.statusCode, created.body).toBe(201);
  validCookie = cookieOf(await m.inject(authorizeUrl(T, { login_hint: ADELE, mock_login: 'auto' })));
  const consentPage = await m.inject(authorizeUrl(PW_TENANT, { login_hint: ADELE, mock_login: 'auto', mock_password: PASSWORD }));
  pwCookie = cookieOf(consentPage);
  realSid = /name="mock_sid" value="([^"]+)"/.exec(consentPage.body)?.[1] ?? '';
  const page = await m.inject(authorizeUrl(T));
  usedToken = tokenOf(page.body);
  await m.inject({
    method: 'POST',
    url: `/${T}/oauth2/v2.0/authorize`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...BRIDGE, mock_action: 'login', loginfmt: ADELE, flowToken: usedToken }).toString(),
  });
  expect(validCookie && pwCookie && realSid && usedToken).toBeTruthy();
});
afterAll(() => m?.close());

/** Checks one answer: the suite's invariants, and a 200 error page that names a catalog code. */
function expectSignInSound(req: SentRequest, res: LightMyRequestResponse): void {
  expectSound(req, res);
  const aadsts = res.headers['x-ms-ests-error'];
  if (aadsts !== undefined) {
    expect(Object.keys(CATALOG)).toContain(String(aadsts));
    expect(res.body).toContain(`AADSTS${String(aadsts)}: `);
  }
  if (res.statusCode === 302) expect(String(res.headers.location ?? '')).not.toBe('');
}

const anyOf = <T>(...values: T[]) => fc.constantFrom(...values);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });

const FRESH = Symbol('fresh page token');
/** The cookie set along with the fresh page: the same browser posting its own page. */
const SAME_BROWSER = Symbol('same browser');
const fields = fc.record({
  tenant: anyOf(T, PW_TENANT, 'common', 'organizations'),
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST'),
  page: anyOf('login', 'consent', 'password'),
  mock_action: maybe(fc.oneof(anyOf('login', 'consent', 'LOGIN', '', ' ', 'logout'), text, huge)),
  loginfmt: maybe(fc.oneof(anyOf(ADELE, ADELE.toUpperCase(), CONTOSO.users.megan.upn, 'nobody@contoso.onmicrosoft.com', '@', ''), text, huge)),
  passwd: maybe(fc.oneof(anyOf(PASSWORD, 'wrong', ''), text, huge)),
  consent: maybe(fc.oneof(anyOf('accept', 'cancel', 'admin_required', 'ACCEPT'), text)),
  mock_sid: maybe(
    fc.oneof(
      anyOf<string | (() => string)>(() => realSid, '00000000-0000-0000-0000-000000000000'),
      fc.uuid(),
      text,
    ),
  ),
  flowToken: maybe(
    fc.oneof(
      anyOf<string | typeof FRESH | (() => string)>(FRESH, FRESH, () => usedToken, 'x', 'A'.repeat(43)),
      text,
      huge,
    ),
  ),
  mock_login: maybe(anyOf('auto', 'AUTO', 'manual', '')),
  mock_password: maybe(fc.oneof(anyOf(PASSWORD, 'wrong'), text, huge)),
  login_hint: maybe(fc.oneof(anyOf(ADELE, CONTOSO.users.megan.upn, 'nobody@x'), text)),
  prompt: maybe(anyOf('none', 'login', 'consent', 'select_account')),
  duplicate: fc.boolean(),
  cookie: maybe(
    fc.oneof(
      anyOf<string | (() => string) | typeof SAME_BROWSER>(
        SAME_BROWSER,
        SAME_BROWSER,
        () => validCookie,
        () => pwCookie,
        'ESTSAUTH=',
        'ESTSAUTH=%zz',
        'ESTSAUTH="x"',
        'a=b; ESTSAUTH=AAAA; ESTSAUTH=BBBB',
        ';;;=;',
        'ESTSAUTH=' + 'A'.repeat(9000),
      ),
      text.map((t) => `ESTSAUTH=${t}`),
    ),
  ),
});

describe('fuzzing the sign-in pages’ actions', () => {
  it(
    'answers any combination of the forms’ fields, tokens and cookies within the invariants',
    async () => {
      const outcomes = new Set<string>();
      await fc.assert(
        fc.asyncProperty(fields, async (f) => {
          const resolve = (v: unknown): string | undefined => (typeof v === 'function' ? String((v as () => string)()) : (v as string | undefined));
          let fresh: string | undefined;
          let browserCookie: string | undefined;
          if (f.flowToken === FRESH) {
            // A real page of the journey, fetched now: its token is valid for one post.
            // prompt=consent: the consent page shows even after an earlier run accepted.
            const q =
              f.page === 'login'
                ? {}
                : { login_hint: ADELE, mock_login: 'auto', ...(f.page === 'consent' ? { mock_password: PASSWORD, prompt: 'consent' } : {}) };
            const shown = await m.inject({ method: 'GET', url: authorizeUrl(f.tenant === T ? T : PW_TENANT, q) });
            expectSignInSound({ method: 'GET', url: authorizeUrl(f.tenant, q) }, shown);
            fresh = tokenOf(shown.body);
            browserCookie = cookieOf(shown) || undefined;
          }
          const pairs: Array<[string, string]> = Object.entries(BRIDGE);
          for (const k of ['mock_action', 'loginfmt', 'passwd', 'consent', 'mock_sid', 'mock_login', 'mock_password', 'login_hint', 'prompt'] as const) {
            const v = resolve(f[k]);
            if (v !== undefined) pairs.push([k, v]);
          }
          const token = f.flowToken === FRESH ? fresh : resolve(f.flowToken);
          if (token !== undefined) pairs.push(['flowToken', token]);
          if (f.duplicate && pairs.length > 0) pairs.push(pairs[pairs.length - 1]!);
          const cookie = f.cookie === SAME_BROWSER ? browserCookie : resolve(f.cookie);
          const body = new URLSearchParams(pairs).toString();
          const req: SentRequest =
            f.method === 'GET'
              ? { method: 'GET', url: `/${f.tenant}/oauth2/v2.0/authorize?${body}`, headers: cookie ? { cookie } : {} }
              : {
                  method: 'POST',
                  url: `/${f.tenant}/oauth2/v2.0/authorize`,
                  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
                  payload: body,
                };
          const res = await m.inject({
            method: req.method as 'GET',
            url: req.url,
            headers: req.headers ?? {},
            ...(req.payload !== undefined ? { payload: req.payload } : {}),
          });
          expectSignInSound(req, res);
          const aadsts = res.headers['x-ms-ests-error'];
          outcomes.add(
            aadsts !== undefined ? `AADSTS${String(aadsts)}` : /[?&#]code=/.test(String(res.headers.location ?? '')) ? 'code' : String(res.statusCode),
          );
          // A consent answer without the fresh token of a consent page never brings a code back.
          const action = pairs.find(([k]) => k === 'mock_action')?.[1];
          if (action === 'consent' && (f.flowToken !== FRESH || f.page !== 'consent' || f.method === 'GET')) {
            expect(String(res.headers.location ?? '')).not.toMatch(/[?&#]code=/);
            expect(res.body).not.toMatch(/name="code"/);
          }
        }),
        options(2000, 8),
      );
      // The journey's answers were all reached: codes, pages, the refusals of this issue.
      for (const o of ['code', '200', 'AADSTS50089', 'AADSTS900561']) expect([...outcomes]).toContain(o);
    },
    60_000 * FUZZ_SCALE,
  );
});
