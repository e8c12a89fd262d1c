import * as client from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, MockEntraControl, startMockEntra, type MutationSpec, type RunningMockEntra } from '../../src/index.js';
import { trustingFetch, type FetchLike } from '../support/real-clients.js';

/**
 * openid-client v6, unmodified, against the mock's "Broken on purpose" mutations: for each ID
 * token (and refresh, userinfo, discovery, JWKS) mutation, what openid-client reports — the
 * error code and, for claim comparisons, the claim — or, for the mutations it does not check by
 * design, that it accepts the token (so a relying party relying on openid-client alone accepts
 * it too; README "Broken on purpose" says which).
 *
 * The browser step is the mock's own `mock_login=auto` (the sign-in page skipped); everything
 * openid-client sees — discovery, the authorization response, the token response, the JWKS — is
 * the mock's real answer over HTTPS.
 */

const T = CONTOSO.tenantId;
const BRIDGE = CONTOSO.bridge;
let mock: RunningMockEntra;
let control: MockEntraControl;
let fetchTrusting: FetchLike;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  control = new MockEntraControl(mock.url, { ca: mock.caPem });
  fetchTrusting = trustingFetch(mock.caPem);
});
afterAll(() => mock?.close());
afterEach(() => control.resetTenant(T));

/** A fresh configuration (its own JWKS cache) for the bridge, a confidential web client. */
function discover(extra: client.DiscoveryRequestOptions = {}): Promise<client.Configuration> {
  return client.discovery(new URL(`${mock.url}/${T}/v2.0`), BRIDGE.appId, undefined, client.ClientSecretPost(BRIDGE.secret), {
    [client.customFetch]: fetchTrusting,
    ...extra,
  });
}

/** The authorization response for a code flow openid-client built (the mock signs Adele in without a page). */
async function signIn(
  config: client.Configuration,
  params: Record<string, string> = {},
): Promise<{ url: URL; verifier: string; nonce: string; state: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: BRIDGE.redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    mock_login: 'auto',
    login_hint: CONTOSO.users.adele.upn,
    ...params,
  });
  const r = await fetchTrusting(url.href, { redirect: 'manual' });
  const location = r.headers.get('location');
  if (!location) throw new Error(`no redirect: ${r.status}`);
  return { url: new URL(location), verifier, nonce, state };
}

async function codeFlow(config: client.Configuration): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  const s = await signIn(config);
  return client.authorizationCodeGrant(config, s.url, { pkceCodeVerifier: s.verifier, expectedNonce: s.nonce, expectedState: s.state });
}

/**
 * What openid-client throws: its code, and the claim (or metadata attribute) it names —
 * openid-client wraps oauth4webapi's error, which names it in its `cause`.
 */
async function refusal(p: Promise<unknown>): Promise<{ code: string | undefined; claim?: unknown; reason: string | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as Caused & { code?: string; message: string };
    let claim: unknown;
    for (let c: Caused | undefined = err; c !== undefined && claim === undefined; c = c.cause as Caused | undefined) {
      const d = c.cause as { claim?: unknown; attribute?: unknown } | undefined;
      claim = d?.claim ?? d?.attribute;
    }
    const reason = (err.cause as Error | undefined)?.message ?? err.message;
    return { code: err.code, ...(claim !== undefined ? { claim } : {}), reason };
  }
  throw new Error('openid-client accepted the token');
}

interface Caused {
  cause?: unknown;
}

const mutate = (spec: MutationSpec) => control.addMutation(T, spec);

const missing = (claim: string, name: string) => ({ code: 'OAUTH_INVALID_RESPONSE', reason: `JWT "${claim}" (${name}) claim missing` });
const compared = (claim: string) => ({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', claim });
const BAD_ALG = { code: 'OAUTH_INVALID_RESPONSE', reason: 'unexpected JWT "alg" header parameter' };

/** What a refusal is asserted on: its code, and the claim it names or (missing claims) its reason. */
const asserted = (r: Awaited<ReturnType<typeof refusal>>, expected: { claim?: string; reason?: string }) => ({
  code: r.code,
  ...(expected.claim !== undefined ? { claim: r.claim } : {}),
  ...(expected.reason !== undefined ? { reason: r.reason } : {}),
});

describe('ID token mutations openid-client rejects (authorization code flow)', () => {
  const CASES: Array<[string, { code: string; claim?: string; reason?: string }]> = [
    ['iss-near-miss', compared('iss')],
    ['iss-wild', compared('iss')],
    ['iss-trailing-slash', compared('iss')],
    ['iss-version-swapped', compared('iss')],
    ['iss-template', compared('iss')],
    ['iss-other-tenant', compared('iss')],
    ['aud-near-miss', compared('aud')],
    ['aud-wild', compared('aud')],
    ['aud-graph', compared('aud')],
    // Entra's v2 ID tokens carry no azp: a second audience is "additional untrusted audiences".
    ['aud-array', compared('aud')],
    ['nonce-near-miss', compared('nonce')],
    ['nonce-wild', compared('nonce')],
    ['nonce-removed', missing('nonce', 'nonce')],
    ['sub-removed', missing('sub', 'subject')],
    ['iat-removed', missing('iat', 'issued at')],
    ['exp-removed', missing('exp', 'expiration time')],
    ['aud-removed', missing('aud', 'audience')],
    ['iss-removed', missing('iss', 'issuer')],
    ['exp-past', { code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', claim: 'exp' }],
    ['nbf-future', { code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', claim: 'nbf' }],
    // The alg is checked against id_token_signed_response_alg (RS256) before any signature.
    ['alg-none', BAD_ALG],
    ['alg-hs256', BAD_ALG],
  ];

  it.each(CASES)('%s → %j', async (kind, expected) => {
    const config = await discover();
    await mutate({ target: 'id_token', kind });
    expect(asserted(await refusal(codeFlow(config)), expected)).toEqual(expected);
  });
});

describe('ID token mutations openid-client accepts by design (authorization code flow)', () => {
  // OIDC Core 3.1.3.7 (6): an ID token received directly from the token endpoint over TLS may be
  // trusted without checking its signature, and openid-client v6 does exactly that — so in the
  // code flow it never looks at the signature, the kid or the JWKS. (The hybrid flow below does.)
  it.each(['sig-xor', 'sig-reordered', 'sig-truncated', 'kid-unknown', 'kid-absent'])(
    '%s: accepted — the token endpoint’s ID token signature is not checked (OIDC Core 3.1.3.7 (6))',
    async (kind) => {
      const config = await discover();
      await mutate({ target: 'id_token', kind });
      expect((await codeFlow(config)).claims()?.sub).toBeTypeOf('string');
      expect(await control.listMutations(T)).toEqual([]);
    },
  );

  // Beyond OIDC Core, or Entra-specific: not openid-client's to check.
  it.each([
    ['tid-other-tenant', 'openid-client knows nothing of tid: iss is compared as a string, and it matches'],
    ['iat-week-old', 'openid-client bounds iat only in the future (and auth_time with max_age), not its age'],
    ['x5t-mismatch', 'openid-client selects keys by kid, never by x5t'],
    ['sub-other', 'a code-flow ID token has no earlier sub to compare with'],
  ])('%s: accepted (%s)', async (kind) => {
    const config = await discover();
    await mutate({ target: 'id_token', kind });
    expect((await codeFlow(config)).claims()?.sub).toBeTypeOf('string');
    expect(await control.listMutations(T)).toEqual([]);
  });

  it('a JWKS answering 503, and a key the JWKS does not list yet: accepted in the code flow (no signature check)', async () => {
    const config = await discover();
    await mutate({ target: 'jwks', kind: 'server-error', status: 503 });
    await mutate({ target: 'jwks', kind: 'rotate-publish-after', seconds: 600 });
    expect((await codeFlow(config)).claims()?.sub).toBeTypeOf('string');
  });
});

/**
 * The hybrid flow (`code id_token`, openid-client's useCodeIdTokenResponseType): the ID token
 * comes through the browser, so openid-client verifies its signature with the JWKS, and its
 * c_hash — before it redeems the code. The OpenMetadata SPA (implicit ID tokens enabled) asks.
 */
describe('ID token mutations openid-client rejects (hybrid flow: signature and c_hash)', () => {
  const spa = CONTOSO.openMetadataUi;

  /** A browser app redeems its SPA code cross-origin: Entra wants the Origin header (AADSTS9002327 without). */
  const fromSpa: FetchLike = (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('origin', new URL(spa.redirectUri).origin);
    return fetchTrusting(url, { ...init, headers });
  };

  /** The hybrid flow up to openid-client's verdict (wrapped: an async function would adopt the promise). */
  async function hybrid(): Promise<{ grant: Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> }> {
    const config = await client.discovery(new URL(`${mock.url}/${T}/v2.0`), spa.appId, undefined, client.None(), {
      [client.customFetch]: fromSpa,
      execute: [client.useCodeIdTokenResponseType],
    });
    const nonce = client.randomNonce();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: spa.redirectUri,
      scope: 'openid profile',
      response_mode: 'fragment',
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      mock_login: 'auto',
      login_hint: CONTOSO.users.adele.upn,
    });
    const location = (await fetchTrusting(url.href, { redirect: 'manual' })).headers.get('location')!;
    return { grant: client.authorizationCodeGrant(config, new URL(location), { expectedNonce: nonce, pkceCodeVerifier: verifier }) };
  }

  const SIGNATURE = { code: 'OAUTH_INVALID_RESPONSE', reason: 'JWT signature verification failed' };
  const NO_KEY = { code: 'OAUTH_KEY_SELECTION_FAILED', reason: 'error when selecting a JWT verification key, no applicable keys found' };
  it.each([
    ['c_hash-altered', compared('c_hash')],
    ['c_hash-removed', missing('c_hash', 'code hash')],
    ['sig-xor', SIGNATURE],
    ['sig-reordered', SIGNATURE],
    ['sig-truncated', SIGNATURE],
    ['kid-unknown', NO_KEY],
  ] as const)('%s → %j', async (kind, expected) => {
    await mutate({ target: 'id_token', kind });
    expect(asserted(await refusal((await hybrid()).grant), expected)).toEqual(expected);
  });

  it('kid-absent with several keys published → OAUTH_KEY_SELECTION_FAILED (oidcc-client-test-kid-absent-multiple-jwks)', async () => {
    await control.rotateKeys(T);
    await mutate({ target: 'id_token', kind: 'kid-absent' });
    const r = await refusal((await hybrid()).grant);
    expect(r.code).toBe('OAUTH_KEY_SELECTION_FAILED');
  });

  it('kid-absent with one key published: accepted, the only key verifies it (oidcc-client-test-kid-absent-single-jwks)', async () => {
    await mutate({ target: 'id_token', kind: 'kid-absent' });
    const tokens = await (await hybrid()).grant;
    expect(tokens.claims()?.sub).toBeTypeOf('string');
  });

  it('rotate-publish-after: signed with a key the JWKS does not list yet → OAUTH_KEY_SELECTION_FAILED', async () => {
    await mutate({ target: 'jwks', kind: 'rotate-publish-after', seconds: 600 });
    expect((await refusal((await hybrid()).grant)).code).toBe('OAUTH_KEY_SELECTION_FAILED');
  });

  it('a JWKS answering 503 → refused: nothing can verify the ID token', async () => {
    await mutate({ target: 'jwks', kind: 'server-error', status: 503 });
    expect((await refusal((await hybrid()).grant)).code).toBe('OAUTH_RESPONSE_IS_NOT_CONFORM');
  });

  it('rotate-before-signing: accepted — openid-client refetches the JWKS on an unknown kid (oidcc-client-test-signing-key-rotation-just-before-signing)', async () => {
    await mutate({ target: 'jwks', kind: 'rotate-before-signing' });
    const tokens = await (await hybrid()).grant;
    expect(tokens.claims()?.sub).toBeTypeOf('string');
  });
});

describe('refresh responses', () => {
  it('refresh_id_token iss-near-miss → OAUTH_JWT_CLAIM_COMPARISON_FAILED naming iss', async () => {
    const config = await discover();
    const first = await codeFlow(config);
    await mutate({ target: 'refresh_id_token', kind: 'iss-near-miss' });
    const r = await refusal(client.refreshTokenGrant(config, first.refresh_token!));
    expect({ code: r.code, claim: r.claim }).toEqual({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', claim: 'iss' });
  });

  it('refresh_id_token sub-other: accepted — openid-client does not compare the new sub with the first (OIDC Core 12.2 asks the RP to)', async () => {
    const config = await discover();
    const first = await codeFlow(config);
    await mutate({ target: 'refresh_id_token', kind: 'sub-other' });
    const refreshed = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(refreshed.claims()?.sub).not.toBe(first.claims()?.sub);
  });
});

describe('userinfo and discovery', () => {
  it('userinfo sub-other → fetchUserInfo with the ID token’s sub refuses (OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED naming sub)', async () => {
    const config = await discover();
    const tokens = await codeFlow(config);
    await mutate({ target: 'userinfo', kind: 'sub-other' });
    const r = await refusal(client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub));
    expect({ code: r.code, claim: r.claim }).toEqual({ code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED', claim: 'sub' });
  });

  it.each(['issuer-near-miss', 'issuer-wild'])('discovery %s → OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED naming issuer', async (kind) => {
    await mutate({ target: 'discovery', kind });
    const r = await refusal(discover());
    expect({ code: r.code, claim: r.claim }).toEqual({ code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED', claim: 'issuer' });
  });
});
