/**
 * A floor for the token endpoint: a bare Fastify POST route (logger off) that parses the form
 * body and answers a token signed with RS256 (2048-bit key, node:crypto on libuv's thread pool,
 * as mock-entra signs) over a fixed payload with a fresh `uti` — no client authentication, no
 * claims logic. What mock-entra reaches against the signing limit is bounded by what this does.
 *
 *   node bench/.build/servers/bare-signer.js <port> <private-jwk.json>
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const key = createPrivateKey({ key: JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as JsonWebKey, format: 'jwk' });
const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'bench-peer-key' })).toString('base64url');
const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, new URLSearchParams(body as string)));
app.post('/token', (request, reply) => {
  const form = request.body as URLSearchParams;
  const now = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(
    JSON.stringify({
      aud: form.get('scope'),
      iss: 'https://bench/',
      iat: now,
      nbf: now,
      exp: now + 3600,
      sub: form.get('client_id'),
      uti: randomBytes(16).toString('base64url'),
    }),
  ).toString('base64url');
  const input = `${header}.${payload}`;
  sign('sha256', Buffer.from(input), key, (err, sig) => {
    if (err) return void reply.code(500).send();
    void reply
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: `${input}.${sig.toString('base64url')}` }));
  });
  return reply;
});
const publicJwk = createPublicKey(key).export({ format: 'jwk' });
app.get('/jwks', () => ({ keys: [{ ...publicJwk, kid: 'bench-peer-key', use: 'sig', alg: 'RS256' }] }));
await app.listen({ host: '127.0.0.1', port });
