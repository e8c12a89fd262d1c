/**
 * Peer: oauth2-mock-server, configured the way its README shows. Its token endpoint issues an
 * RS256 JWT access token for client_credentials; it does not check client secrets.
 *
 *   node bench/.build/servers/oauth2-mock-server.js <port> <private-jwk.json>   a 2048-bit key from a file
 *   node bench/.build/servers/oauth2-mock-server.js <port> --generate           the README's quick start:
 *                                                                               a new RS256 key per start
 * It keeps no state between starts, so its documented start generates a key each time; the
 * throughput runs use a key from a file (signing costs the same).
 */
import { readFileSync } from 'node:fs';
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2]);
const server = new OAuth2Server();
if (process.argv[3] === '--generate') {
  await server.issuer.keys.generate('RS256');
} else {
  const jwk = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as Record<string, unknown>;
  await server.issuer.keys.add({ ...jwk, alg: 'RS256', use: 'sig' } as never);
}
await server.start(port, '127.0.0.1');
