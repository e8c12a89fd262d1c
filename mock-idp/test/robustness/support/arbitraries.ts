import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { CONTOSO } from '../../../src/contoso.js';
import type { RouteSpec, SentRequest } from './invariants.js';

/**
 * Request generators for the fuzz suite: the mock's own routes with their parameters replaced by
 * anything — valid values (to get past the first checks), garbage, huge and unicode values,
 * duplicates, traversal in path segments, wrong methods and content types, forged JWTs.
 */

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

const T = CONTOSO.tenantId;
const GRAPH = '00000003-0000-0000-c000-000000000000';

const TRAVERSAL = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '..%5c..%5cwindows%5cwin.ini',
  '%c0%ae%c0%ae',
  '%252e%252e',
  '....%2f%2f',
  '%00',
  'a%00b',
  '%zz',
  '%',
  '..%2F..%2F..%2F..%2Fetc%2Fpasswd',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  'con',
  '~root',
];

/** Free text: ASCII, full unicode (astral planes, combining marks), controls, lone surrogates. */
export const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\u202E', 'e\u0301', '\uFEFF', '\r\n', '\t', ' ', '', '🙂'.repeat(50), 'ﬃ', 'İ', 'ß') },
);

/** Values long enough to cross the mock's limits (8 KiB per parameter, 16 KiB for tokens). */
export const huge = fc.oneof(
  fc.integer({ min: 8 * 1024 - 2, max: 8 * 1024 + 2 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 16 * 1024, max: 40 * 1024 }).map((n) => 'b'.repeat(n)),
  fc.integer({ min: 100, max: 3000 }).map((n) => '🙂'.repeat(n)),
);

/** A path segment: a real tenant, an alias, an unknown GUID, traversal, or anything (encoded). */
export const tenantSegment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(T, T.toUpperCase(), CONTOSO.domain, 'CONTOSO.onmicrosoft.com', 'common', 'organizations', 'consumers') },
  { weight: 1, arbitrary: fc.uuid().map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...TRAVERSAL) },
  { weight: 1, arbitrary: fc.domain() },
  { weight: 1, arbitrary: text.map(pct) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(600)) },
);

const objectSegment = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...Object.values(CONTOSO.users).flatMap((u) => [u.id, u.upn]), ...Object.values(CONTOSO.groups), CONTOSO.bridge.appId),
  },
  { weight: 1, arbitrary: fc.uuid().map(String) },
  { weight: 1, arbitrary: fc.constantFrom(...TRAVERSAL, "'", "id eq 'x'", '(x)', 'microsoft.graph.group', '$count', '$value', 'delta()') },
  { weight: 1, arbitrary: text.map(pct) },
);

const castSegment = fc.oneof(
  fc.constantFrom('microsoft.graph.group', 'microsoft.graph.user', 'microsoft.graph.application', 'microsoft.graph.x', '$count'),
  text.map(pct),
);

/** Parameter names the mock reads (and some it does not). */
export const PARAM_NAMES = [
  'client_id',
  'client_secret',
  'grant_type',
  'scope',
  'redirect_uri',
  'response_type',
  'response_mode',
  'state',
  'nonce',
  'code',
  'code_verifier',
  'code_challenge',
  'code_challenge_method',
  'refresh_token',
  'client_assertion',
  'client_assertion_type',
  'login_hint',
  'domain_hint',
  'prompt',
  'mock_login',
  'resource',
  'post_logout_redirect_uri',
  'id_token_hint',
  'logout_hint',
  'client_info',
  'claims',
  'request',
  'loginfmt',
  'passwd',
  'consent',
  'sso_reload',
  'x-client-SKU',
  '$filter',
  '$select',
  '$top',
  '$skiptoken',
  '$search',
  '$orderby',
  '$count',
  '$expand',
  '$format',
  '$skip',
  '$deltatoken',
  'securityEnabledOnly',
  'api-version',
  'authorization_endpoint',
] as const;

const GUIDS = [
  T,
  CONTOSO.bridge.appId,
  CONTOSO.ingestion.appId,
  CONTOSO.openMetadataUi.appId,
  GRAPH,
  ...Object.values(CONTOSO.groups),
  ...Object.values(CONTOSO.users).map((u) => u.id),
];

/** Values that mean something to the mock, so generated requests get past the first checks. */
const MEANINGFUL: Record<string, readonly string[]> = {
  client_id: [CONTOSO.bridge.appId, CONTOSO.ingestion.appId, CONTOSO.openMetadataUi.appId, GRAPH],
  client_secret: [CONTOSO.bridge.secret, CONTOSO.bridge.expiredSecret, CONTOSO.ingestion.secret, CONTOSO.bridge.appId],
  grant_type: [
    'client_credentials',
    'authorization_code',
    'refresh_token',
    'password',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
    'urn:ietf:params:oauth:grant-type:device_code',
    'implicit',
    'CLIENT_CREDENTIALS',
  ],
  scope: [
    'openid',
    'openid profile email offline_access',
    'User.Read',
    'https://graph.microsoft.com/.default',
    `${CONTOSO.openMetadataUi.apiUri}/.default`,
    CONTOSO.openMetadataUi.scope,
    `${GRAPH}/.default`,
    '.default',
    '/',
    'openid https://graph.microsoft.com/.default api://x/.default',
    'User.Read https://graph.microsoft.com/Group.Read.All',
  ],
  redirect_uri: [
    CONTOSO.bridge.redirectUri,
    CONTOSO.openMetadataUi.redirectUri,
    'http://localhost:8080/ingestion',
    `${CONTOSO.bridge.redirectUri}/`,
    'javascript:alert(1)',
    'https://evil.example/cb',
    'http://localhost:1/sso/callback/vc-5f2a9c',
  ],
  response_type: ['code', 'id_token', 'token', 'code id_token', 'id_token token', 'code token', 'none', 'CODE'],
  response_mode: ['query', 'fragment', 'form_post', 'web_message', 'Query'],
  prompt: ['none', 'login', 'consent', 'select_account', 'admin_consent', 'create'],
  mock_login: ['auto', 'AUTO', 'manual'],
  login_hint: Object.values(CONTOSO.users).map((u) => u.upn),
  code_challenge_method: ['S256', 'plain', 's256', 'RS256'],
  code_challenge: ['E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'short'],
  code_verifier: ['dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'x'],
  client_assertion_type: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer'],
  client_info: ['1', '0'],
  resource: ['https://graph.microsoft.com', GRAPH, CONTOSO.openMetadataUi.apiUri, 'api://unknown'],
  post_logout_redirect_uri: [CONTOSO.bridge.redirectUri, 'https://evil.example/'],
  $filter: [
    "displayName eq 'Engineering'",
    "startswith(displayName,'E')",
    'securityEnabled eq true',
    "id in ('a','b')",
    'displayName eq',
    "mail eq 'x' or (",
    "any(x:x eq 'y')",
    'not(',
    "proxyAddresses/any(x:startswith(x,'smtp:'))",
  ],
  $select: ['id,displayName', 'id', '*', 'nosuchproperty', 'id,,', 'members'],
  $top: ['1', '999', '1000', '0', '-1', '1e3', 'abc', '99999999999999999999'],
  $count: ['true', 'false', 'yes'],
  $search: ['"displayName:Eng"', 'displayName:x', '"', '""'],
  $orderby: ['displayName', 'displayName desc', 'id asc,', 'nosuch'],
  $skiptoken: ['X', 'eyJ', '0'],
  $expand: ['members', 'memberOf', 'members($select=id)', '('],
  securityEnabledOnly: ['true', 'false'],
};

/** A compact JWS with any header and payload, signed by a key nobody trusts. */
const attackerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
export function forgeJwt(header: Record<string, unknown>, payload: Record<string, unknown>, signer: 'attacker' | 'none' | 'garbage' = 'attacker'): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const sig = signer === 'none' ? '' : signer === 'garbage' ? 'AAAA' : sign('sha256', Buffer.from(`${h}.${p}`), attackerKey).toString('base64url');
  return `${h}.${p}.${sig}`;
}

/** Ways a JWT is damaged or forged (applied to real tokens the mock issued). */
export function mutateJwt(token: string, how: number, claim: unknown): string {
  const [h = '', p = '', s = ''] = token.split('.');
  const decode = (x: string): Record<string, unknown> => {
    try {
      return JSON.parse(Buffer.from(x, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = decode(h);
  const payload = decode(p);
  switch (how % 12) {
    case 0:
      return token.slice(0, Math.max(0, Math.floor(token.length * ((typeof claim === 'number' ? Math.abs(claim) % 100 : 50) / 100))));
    case 1:
      return `${h}.${p}.`;
    case 2:
      return `${enc({ ...header, alg: 'none' })}.${p}.`;
    case 3:
      return `${h}.${enc({ ...payload, tid: '00000000-0000-0000-0000-000000000000' })}.${s}`;
    case 4:
      return `${h}.${enc({ ...payload, exp: 4102444800, roles: ['Directory.ReadWrite.All'], scp: 'Directory.AccessAsUser.All' })}.${s}`;
    case 5:
      return forgeJwt(header, payload, 'attacker');
    case 6:
      return forgeJwt({ ...header, alg: 'HS256' }, payload, 'garbage');
    case 7:
      return `${h}.${p}.${s}.${s}`;
    case 8:
      return `${h}.${enc({ ...payload, aud: claim, oid: claim, sub: claim })}.${s}`;
    case 9:
      return `${enc({ ...header, kid: claim, x5t: claim, jku: 'https://evil.example/jwks' })}.${p}.${s}`;
    case 10:
      return `${h}!.${p}.${s}`;
    default:
      return [h, p, s].map((x) => x.split('').reverse().join('')).join('.');
  }
}

export interface Tokens {
  /** Graph token, app-only (bridge, Group.Read.All). */
  graphApp: string;
  /** Graph token, delegated (Adele: openid profile email User.Read). */
  graphUser: string;
  idToken: string;
  refreshToken: string;
}

export function valueFor(name: string, tokens: Tokens): fc.Arbitrary<string> {
  const meaningful = Object.hasOwn(MEANINGFUL, name) ? MEANINGFUL[name] : undefined;
  const jwtish =
    name === 'client_assertion' || name === 'id_token_hint' || name === 'refresh_token' || name === 'code'
      ? [
          fc
            .tuple(fc.constantFrom(tokens.graphApp, tokens.graphUser, tokens.idToken, tokens.refreshToken), fc.nat(), fc.jsonValue())
            .map(([t, n, c]) => mutateJwt(t, n, c)),
        ]
      : [];
  return fc.oneof(
    ...(meaningful ? [{ weight: 6, arbitrary: fc.constantFrom(...meaningful) }] : []),
    ...jwtish.map((arbitrary) => ({ weight: 3, arbitrary })),
    { weight: 2, arbitrary: text },
    { weight: 1, arbitrary: fc.constantFrom(...GUIDS) },
    { weight: 1, arbitrary: huge },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        '%',
        '%zz',
        '&',
        '=',
        '+',
        '\u0000',
        'null',
        'undefined',
        '[]',
        '{}',
        '__proto__',
        'constructor',
        'toString',
        '-1',
        '1e309',
        'NaN',
      ),
    },
  );
}

const paramName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...PARAM_NAMES) },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'a[b]', 'a.b', '') },
);

/** Parameters as a list of pairs: duplicates allowed on purpose. */
export function paramList(tokens: Tokens, maxLength = 8): fc.Arbitrary<Array<[string, string]>> {
  return fc.array(
    paramName.chain((n) => valueFor(n, tokens).map((v): [string, string] => [n, v])),
    { maxLength },
  );
}

/** Query string encodings: proper, raw (unencoded unicode), or with broken escapes. */
export function encodePairs(pairs: Array<[string, string]>, style: number): string {
  if (style % 5 === 0) return pairs.map(([k, v]) => `${k}=${v}`).join('&');
  if (style % 5 === 1) return pairs.map(([k, v]) => `${pct(k)}=${pct(v)}%`).join('&');
  const sp = new URLSearchParams();
  for (const [k, v] of pairs) sp.append(k, v);
  return sp.toString();
}

/** Makes a string usable as an HTTP request target (what a client could really send): UTF-8, controls and non-ASCII percent-encoded. */
function asTarget(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8'))
    out += b > 0x20 && b < 0x7f && b !== 0x23 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** encodeURIComponent that also takes lone surrogates (as their UTF-8 replacement). */
export function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8'))
    out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=ISO-8859-1',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'application/json-patch+json',
  'text/plain',
  'text/html',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/x-www-form-urlencoded, application/json',
  'application/jsonx',
  ';;;',
  'x',
] as const;

const body = (tokens: Tokens): fc.Arbitrary<{ type: string | undefined; payload: string | undefined }> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(paramList(tokens), fc.nat())
        .map(([p, s]) => ({ type: 'application/x-www-form-urlencoded' as string | undefined, payload: encodePairs(p, s) as string | undefined })),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ type: 'application/json', payload: JSON.stringify(v) ?? 'null' })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...CONTENT_TYPES),
          fc.oneof(
            text,
            fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
            paramList(tokens).map((p) => encodePairs(p, 2)),
          ),
        )
        .map(([type, payload]) => ({ type, payload })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ type: 'application/x-www-form-urlencoded', payload: `grant_type=client_credentials&x=${'y'.repeat(1024 * 1024 + 10)}` }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { type: 'application/json', payload: '{"a":' },
        { type: 'application/json', payload: '' },
        { type: undefined, payload: 'grant_type=client_credentials' },
        { type: 'application/x-www-form-urlencoded', payload: '' },
      ),
    },
    { weight: 1, arbitrary: fc.constant({ type: undefined, payload: undefined }) },
  );

const headerArb = (tokens: Tokens): fc.Arbitrary<Record<string, string>> =>
  fc
    .record(
      {
        authorization: fc.oneof(
          fc.constantFrom(tokens.graphApp, tokens.graphUser, tokens.idToken).map((t) => `Bearer ${t}`),
          fc.tuple(fc.constantFrom(tokens.graphApp, tokens.graphUser), fc.nat(), fc.jsonValue()).map(([t, n, c]) => `Bearer ${mutateJwt(t, n, c)}`),
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            'bearer x.y.z',
            'Basic',
            'Basic !!!',
            `Basic ${Buffer.from(`${CONTOSO.bridge.appId}:${CONTOSO.bridge.secret}`).toString('base64')}`,
            `Basic ${Buffer.from('%zz:%').toString('base64')}`,
            'Negotiate x',
            'Bearer a b c',
          ),
          text.map((t) => `Bearer ${asTarget(t)}`),
        ),
        origin: fc.constantFrom('http://localhost:8585', 'null', 'https://evil.example', ''),
        cookie: fc.oneof(
          fc.constantFrom('ESTSAUTH=garbage', 'ESTSAUTH=', 'ESTSAUTH=1.A' + 'x'.repeat(100), 'a=b; ESTSAUTH=%zz'),
          text.map((t) => `ESTSAUTH=${pct(t)}`),
        ),
        'client-request-id': fc.oneof(fc.uuid().map(String), text.map(pct)),
        consistencylevel: fc.constantFrom('eventual', 'EVENTUAL', 'x'),
        'access-control-request-headers': fc.constantFrom('content-type', 'x-a, x-b', ''),
        accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml'),
      },
      { requiredKeys: [] },
    )
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => !/[\r\n]/.test(v) && !v.includes('\u0000') && /^[\u0020-\u00ff]*$/.test(v))));

/** A concrete URL for a route pattern: every parameter replaced, sometimes by something hostile. */
function concretePath(route: RouteSpec): fc.Arbitrary<string> {
  const parts = route.path.split(/(:[A-Za-z]+|\*)/).filter((s) => s !== '');
  return fc
    .tuple(
      ...parts.map((part) => {
        if (part === ':tenant') return tenantSegment;
        if (part === ':cast') return castSegment;
        if (part.startsWith(':')) return objectSegment;
        if (part === '*')
          return fc
            .array(fc.oneof(objectSegment, fc.constantFrom('users', 'groups', 'me', 'applications', 'delta', 'members', '$count', '')), { maxLength: 4 })
            .map((a) => a.join('/'));
        return fc.constant(part);
      }),
    )
    .chain((segments) =>
      // Entra's fixed segments are case-insensitive: mix the case sometimes.
      fc.boolean().map((upper) => {
        const joined = segments.join('');
        const path = joined.startsWith('/') ? joined : `/${joined}`;
        return upper ? path.replace(/oauth2|discovery|authorize|token|users|groups/g, (s) => s.toUpperCase()) : path;
      }),
    );
}

/** Any request to any of the routes, built from what the routes are. */
export function requestFor(routes: RouteSpec[], tokens: Tokens): fc.Arbitrary<SentRequest> {
  return fc
    .record({
      route: fc.constantFrom(...routes),
      methodChoice: fc.nat(),
      wrongMethod: fc.constantFrom(...METHODS),
      useWrong: fc.nat(4).map((n) => n === 0),
      query: paramList(tokens, 6),
      queryStyle: fc.nat(),
      body: body(tokens),
      headers: headerArb(tokens),
      trailingSlash: fc.boolean(),
    })
    .chain((r) =>
      concretePath(r.route).map((path): SentRequest => {
        const method = r.useWrong ? r.wrongMethod : (r.route.methods[r.methodChoice % r.route.methods.length] ?? 'GET');
        const qs = r.query.length > 0 ? `?${asTarget(encodePairs(r.query, r.queryStyle))}` : '';
        const headers: Record<string, string> = { ...r.headers };
        if (r.body.type !== undefined) headers['content-type'] = r.body.type;
        const sendsBody = method !== 'GET' && method !== 'HEAD' && r.body.payload !== undefined;
        return { method, url: `${asTarget(path)}${r.trailingSlash ? '/' : ''}${qs}`, headers, ...(sendsBody ? { payload: r.body.payload } : {}) };
      }),
    );
}

export { asTarget };
