import * as client from 'openid-client';
import { customFetchOf, type IdpHttpOptions } from './http.js';

/**
 * The openid-client Configuration of one sign-in or one refresh, and the bridge's JWKS cache
 * across them.
 *
 * Why not one Configuration for everything: openid-client refetches a cached JWKS on an unknown
 * `kid` only when its copy is at least 60 s old (oauth4webapi, getPublicSigKeyFromIssuerJwksUri,
 * wall clock), so a sign-in right after Entra rotated its signing key would be refused with
 * `OAUTH_KEY_SELECTION_FAILED`. OIDC Core 10.1.1 says the opposite: "the verifier knows to go back
 * to the jwks_uri location to re-retrieve the keys when it sees an unfamiliar kid value", and the
 * OIDF RP test oidcc-client-test-signing-key-rotation (rp-key-rotation-op-sign-key) expects that
 * refetch (https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys). So the bridge
 * reads the ID token's `kid` before openid-client verifies it — in the token endpoint's answer
 * (through the fetch openid-client uses) or in the front channel (hybrid) — and, when its cached
 * JWKS does not list that `kid`, fetches the JWKS once more and gives it to a Configuration of its
 * own, whose key cache (keyed by the Configuration) holds nothing older. Everything else —
 * signature, `alg`, claims — stays openid-client's.
 */

/** The ID token's `kid` header, read without verification (only to choose whether to refetch the keys). */
export function jwtKid(jwt: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

export class SigningKeys {
  private cache: client.ExportedJWKSCache | undefined;
  /** JWKS requests the bridge made itself because of an unknown `kid` (openid-client's own are not counted). */
  refetches = 0;

  constructor(private readonly http: () => IdpHttpOptions) {}

  /** Forget the keys (another discovery URL, another issuer). */
  reset(): void {
    this.cache = undefined;
  }

  /**
   * A Configuration for one flow: the discovered metadata, the bridge's client authentication,
   * the ID token's signature checked (enableNonRepudiationChecks), the keys cached so far, and a
   * fetch that looks at the token endpoint's ID token first. `hybrid`: `code id_token`.
   *
   * An issuer with the `{tenantid}` template (a multi-tenant discovery URL) keeps the discovered
   * Configuration: only openid-client's discovery knows to fill the template from `tid`.
   */
  configuration(discovered: client.Configuration, auth: client.ClientAuth, o: { hybrid?: boolean } = {}): client.Configuration {
    const server = discovered.serverMetadata();
    if (server.issuer.includes('{tenantid}')) return discovered;
    const http = this.http();
    const base = customFetchOf(http);
    const flow = new client.Configuration(server, discovered.clientMetadata().client_id, undefined, auth);
    const tokenEndpoint = server.token_endpoint;
    flow[client.customFetch] = async (url, options) => {
      const response = await base(url, options);
      if (url === tokenEndpoint && response.ok) {
        const body = (await response
          .clone()
          .json()
          .catch(() => undefined)) as { id_token?: unknown } | undefined;
        if (typeof body?.id_token === 'string') await this.ensureKeyFor(flow, body.id_token);
      }
      return response;
    };
    if (http.allowInsecureRequests) client.allowInsecureRequests(flow);
    client.enableNonRepudiationChecks(flow);
    if (o.hybrid) client.useCodeIdTokenResponseType(flow);
    if (this.cache) client.setJwksCache(flow, this.cache);
    return flow;
  }

  /** When the cached JWKS does not list the ID token's `kid`: fetch the JWKS again and give it to `flow`. */
  async ensureKeyFor(flow: client.Configuration, idToken: string): Promise<void> {
    const kid = jwtKid(idToken);
    // Nothing cached: openid-client fetches the JWKS itself. No kid: nothing to look up by.
    if (!this.cache || kid === undefined || this.cache.jwks.keys.some((k) => k.kid === kid)) return;
    const jwksUri = flow.serverMetadata().jwks_uri;
    if (!jwksUri) return;
    this.refetches++;
    const response = await customFetchOf(this.http())(jwksUri, {
      method: 'GET',
      body: undefined,
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    }).catch(() => undefined);
    const jwks = (response?.ok ? await response.json().catch(() => undefined) : undefined) as client.JWKS | undefined;
    // An answer that is not a JWKS: openid-client keeps its cached keys and reports the kid it cannot find.
    if (!jwks || !Array.isArray(jwks.keys)) return;
    this.cache = { jwks, uat: Math.floor(Date.now() / 1000) };
    client.setJwksCache(flow, this.cache);
  }

  /** After a flow: keep the keys openid-client fetched or was given. */
  remember(flow: client.Configuration): void {
    const cache = client.getJwksCache(flow);
    if (cache) this.cache = cache;
  }
}
