/**
 * Peer: oidc-provider (panva), with client_credentials enabled and a resource server whose access
 * tokens are RS256 JWTs (features.clientCredentials + features.resourceIndicators with
 * accessTokenFormat 'jwt'), one confidential client authenticating with client_secret_post, and
 * a 2048-bit RSA key read from a file.
 *
 *   node bench/.build/servers/oidc-provider.js <port> <private-jwk.json>
 */
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import { BENCH_CLIENT } from '../lib/peers.js';

const port = Number(process.argv[2]);
const jwk = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as Record<string, unknown>;
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: BENCH_CLIENT.id,
      client_secret: BENCH_CLIENT.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [{ ...jwk, alg: 'RS256', use: 'sig' }] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => BENCH_CLIENT.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'read',
        audience: BENCH_CLIENT.resource,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
provider.listen(port, '127.0.0.1');
