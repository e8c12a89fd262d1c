import * as client from 'openid-client';

/**
 * A multi-tenant relying party's code redemption: the discovery document of /organizations (or
 * /common) names the issuer `https://…/{tenantid}/v2.0`, a template no ID token carries. Microsoft's
 * rule for such apps: take `tid` from the token, require `iss` to be the template with that `tid`
 * filled in, and accept only the tenants the app serves
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer).
 *
 * openid-client fills the template itself only when the issuer's origin is
 * https://login.microsoftonline.com; elsewhere (a mock on its own origin) it compares `iss` with
 * the template literally and refuses every token. So the bridge redeems the code once with the
 * discovered metadata, keeping the token endpoint's answer, reads the unverified `tid` from its ID
 * token, and has openid-client check that same answer again — signature, `aud`, `nonce`, `exp`,
 * and `iss` against the template filled with that `tid`. The code is sent once; everything the
 * bridge accepts was verified by openid-client. The allow-list is checked on the verified claims.
 */

/** The token endpoint's answer, kept to be checked again. */
interface Captured {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

export interface MultiTenantRedemption {
  discovered: client.Configuration;
  auth: client.ClientAuth;
  fetch: client.CustomFetch;
  allowInsecureRequests: boolean;
  currentUrl: URL;
  checks: client.AuthorizationCodeGrantChecks;
}

/** Whether the discovered issuer is Entra's multi-tenant template. */
export const isTenantTemplate = (c: client.Configuration): boolean => c.serverMetadata().issuer.includes('{tenantid}');

/** The ID token's `tid`, read without verification (only to choose the issuer to verify it against). */
function unverifiedTid(body: string): string | undefined {
  try {
    const idToken = (JSON.parse(body) as { id_token?: unknown }).id_token;
    if (typeof idToken !== 'string') return undefined;
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}

function flowFor(server: client.ServerMetadata, r: MultiTenantRedemption, fetch: client.CustomFetch): client.Configuration {
  const flow = new client.Configuration(server, r.discovered.clientMetadata().client_id, undefined, r.auth);
  flow[client.customFetch] = fetch;
  if (r.allowInsecureRequests) client.allowInsecureRequests(flow);
  client.enableNonRepudiationChecks(flow);
  return flow;
}

/** Redeems the code (once) and verifies the ID token against the issuer of its own tenant. */
export async function multiTenantCodeGrant(r: MultiTenantRedemption): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  const server = r.discovered.serverMetadata();
  let captured: Captured | undefined;
  const capturing = flowFor(server, r, async (url, options) => {
    const response = await r.fetch(url, options);
    if (url === server.token_endpoint) {
      const headers: Array<[string, string]> = [];
      response.headers.forEach((value, name) => headers.push([name, value]));
      captured = { status: response.status, headers, body: await response.clone().text() };
    }
    return response;
  });
  const first = await client.authorizationCodeGrant(capturing, r.currentUrl, r.checks).then(
    (tokens) => ({ tokens }),
    (error: unknown) => ({ error }),
  );
  if ('tokens' in first) return first.tokens;
  const tid = captured && captured.status === 200 ? unverifiedTid(captured.body) : undefined;
  // A refusal of the token endpoint, or no tid to choose an issuer by: openid-client's own error.
  if (!captured || tid === undefined) throw first.error;
  const kept = captured;
  const { supportsPKCE: _helper, ...metadata } = server;
  const verifying = flowFor({ ...metadata, issuer: server.issuer.replace('{tenantid}', tid) }, r, async (url, options) =>
    url === server.token_endpoint ? new Response(kept.body, { status: kept.status, headers: kept.headers }) : r.fetch(url, options),
  );
  return client.authorizationCodeGrant(verifying, r.currentUrl, r.checks);
}
