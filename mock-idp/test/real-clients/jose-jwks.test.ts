import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { cloneContoso, decodeJwtPart, trustingFetch, type ClonedTenant, type FetchLike } from '../support/real-clients.js';

/**
 * jose v6, unmodified: the way an API validates Entra's tokens — keys from the tenant's v2 JWKS
 * (`createRemoteJWKSet` with its documented `[customFetch]`, here a fetch trusting the mock's
 * CA), issuer and audience checked by `jwtVerify`. Tokens are obtained from the mock over plain
 * protocol requests (the clients themselves are exercised in the other real-client suites).
 */
const TID = CONTOSO.tenantId;

let mock: RunningMockEntra;
let fetchCa: FetchLike;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  fetchCa = trustingFetch(mock.caPem);
});

afterAll(async () => {
  await mock?.close();
});

function jwksOf(tenantId: string, options: { cooldownDuration?: number } = {}): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(`${mock.url}/${tenantId}/discovery/v2.0/keys`), { ...options, [customFetch]: fetchCa });
}

async function tokenRequest(tenantId: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetchCa(`${mock.url}/${tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(fields) });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

async function appToken(tenantId: string, clientId: string, secret: string, scope: string): Promise<string> {
  const body = await tokenRequest(tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope });
  return String(body.access_token);
}

/** An ID token for the bridge app: authorize with `mock_login=auto`, then redeem the code. */
async function bridgeIdToken(upn: string, nonce: string): Promise<string> {
  const redirectUri = CONTOSO.bridge.redirectUri;
  const authorize = new URL(`${mock.url}/${TID}/oauth2/v2.0/authorize`);
  authorize.search = new URLSearchParams({
    client_id: CONTOSO.bridge.appId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    nonce,
    state: randomUUID(),
    mock_login: 'auto',
    login_hint: upn,
  }).toString();
  const redirect = await fetchCa(authorize);
  expect(redirect.status).toBe(302);
  const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
  const body = await tokenRequest(TID, {
    grant_type: 'authorization_code',
    client_id: CONTOSO.bridge.appId,
    client_secret: CONTOSO.bridge.secret,
    code,
    redirect_uri: redirectUri,
    scope: 'openid profile email',
  });
  return String(body.id_token);
}

const rejectionOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('jose: validating the mock tokens with the tenant JWKS', () => {
  it('verifies a v2 ID token (issuer, audience, signature), and rejects it for another audience or once tampered', async () => {
    const nonce = randomUUID();
    const idToken = await bridgeIdToken(CONTOSO.users.adele.upn, nonce);
    const jwks = jwksOf(TID);
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
      issuer: `${mock.url}/${TID}/v2.0`,
      audience: CONTOSO.bridge.appId,
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ typ: 'JWT', alg: 'RS256' });
    expect(protectedHeader).not.toHaveProperty('x5t'); // v2 tokens carry kid only
    expect(payload).toMatchObject({ tid: TID, oid: CONTOSO.users.adele.id, ver: '2.0', nonce, email: CONTOSO.users.adele.mail });

    const wrongAudience = await rejectionOf(jwtVerify(idToken, jwks, { issuer: `${mock.url}/${TID}/v2.0`, audience: CONTOSO.openMetadataUi.appId }));
    expect(wrongAudience).toBeInstanceOf(errors.JWTClaimValidationFailed);
    expect(wrongAudience).toMatchObject({ claim: 'aud' });

    const [h, p, s] = idToken.split('.') as [string, string, string];
    const tamperedPayload = Buffer.from(Buffer.from(p, 'base64url').toString('utf8').replace(CONTOSO.users.adele.id, CONTOSO.users.alex.id)).toString(
      'base64url',
    );
    const tampered = await rejectionOf(jwtVerify(`${h}.${tamperedPayload}.${s}`, jwks, { issuer: `${mock.url}/${TID}/v2.0`, audience: CONTOSO.bridge.appId }));
    expect(tampered).toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });

  it('verifies a v1 app-only token for the OpenMetadata API (issuer https://sts.windows.net/{tid}/), and not under the v2 issuer', async () => {
    const token = await appToken(TID, CONTOSO.ingestion.appId, CONTOSO.ingestion.secret, `${CONTOSO.openMetadataUi.apiUri}/.default`);
    const jwks = jwksOf(TID);
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: `https://sts.windows.net/${TID}/`,
      audience: CONTOSO.openMetadataUi.apiUri,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.x5t).toBe(protectedHeader.kid); // v1 tokens carry both
    expect(payload).toMatchObject({ appid: CONTOSO.ingestion.appId, idtyp: 'app', ver: '1.0', tid: TID });
    expect(payload).not.toHaveProperty('roles');

    const wrongIssuer = await rejectionOf(jwtVerify(token, jwks, { issuer: `${mock.url}/${TID}/v2.0`, audience: CONTOSO.openMetadataUi.apiUri }));
    expect(wrongIssuer).toBeInstanceOf(errors.JWTClaimValidationFailed);
    expect(wrongIssuer).toMatchObject({ claim: 'iss' });
  });

  it('cannot verify a Graph-audience token: its header carries a nonce, as Entra’s Graph tokens do', async () => {
    const token = await appToken(TID, CONTOSO.bridge.appId, CONTOSO.bridge.secret, 'https://graph.microsoft.com/.default');
    const header = decodeProtectedHeader(token);
    expect(typeof header.nonce).toBe('string');
    expect(header.kid).toBeTruthy();
    const claims = decodeJwtPart(token, 1);
    expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', roles: ['Group.Read.All'], idtyp: 'app' });
    const error = await rejectionOf(jwtVerify(token, jwksOf(TID), { issuer: `https://sts.windows.net/${TID}/`, audience: 'https://graph.microsoft.com' }));
    expect(error).toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });
});

describe('jose: key rotation (a tenant created for this test)', () => {
  let tenant: ClonedTenant;

  beforeAll(async () => {
    tenant = await cloneContoso(mock.control);
  });

  it('keeps verifying tokens signed before a rotation, signs new ones with a new kid, and drops a key once it retires', async () => {
    const scope = `api://${tenant.ids.openMetadataUi}/.default`;
    const verify = (jwks: JWTVerifyGetKey, token: string) =>
      jwtVerify(token, jwks, { issuer: `https://sts.windows.net/${tenant.tenantId}/`, audience: `api://${tenant.ids.openMetadataUi}`, algorithms: ['RS256'] });
    const before = await appToken(tenant.tenantId, tenant.ids.ingestion, CONTOSO.ingestion.secret, scope);
    const oldKid = decodeProtectedHeader(before).kid!;
    // cooldownDuration 0: a token with an unknown kid makes jose fetch the JWKS again at once,
    // which is how an API picks up a rotated key.
    const jwks = jwksOf(tenant.tenantId, { cooldownDuration: 0 });
    await expect(verify(jwks, before)).resolves.toBeTruthy();

    const rotated = await mock.control.rotateKeys(tenant.tenantId);
    expect(rotated.previousKid).toBe(oldKid);
    expect(rotated.kid).not.toBe(oldKid);
    expect(rotated.published).toEqual([rotated.kid, oldKid]);

    const after = await appToken(tenant.tenantId, tenant.ids.ingestion, CONTOSO.ingestion.secret, scope);
    expect(decodeProtectedHeader(after).kid).toBe(rotated.kid);
    await expect(verify(jwks, after)).resolves.toBeTruthy();
    await expect(verify(jwks, before)).resolves.toBeTruthy(); // the old key is still published

    // The default tenant is untouched: it still signs with the old key.
    const contoso = await appToken(TID, CONTOSO.ingestion.appId, CONTOSO.ingestion.secret, `${CONTOSO.openMetadataUi.apiUri}/.default`);
    expect(decodeProtectedHeader(contoso).kid).toBe(oldKid);

    // Negative twin: rotate again with immediate retirement; the retired key leaves the JWKS and
    // its tokens no longer verify against a freshly fetched key set.
    const again = await mock.control.rotateKeys(tenant.tenantId, 0);
    expect(again.previousKid).toBe(rotated.kid);
    expect(again.published).not.toContain(rotated.kid);
    const fresh = jwksOf(tenant.tenantId);
    const retired = await rejectionOf(verify(fresh, after));
    expect(retired).toBeInstanceOf(errors.JWKSNoMatchingKey);
    await expect(verify(fresh, before)).resolves.toBeTruthy(); // first key: 24 h retirement window
  });
});
