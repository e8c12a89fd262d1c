import { createHash, createHmac, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UNPUBLISHED_KID } from '../../src/tokens/mutations.js';
import { halfHash } from '../../src/tokens/subject.js';
import { T, type TestMock } from '../support/mock-app.js';
import { authorizeSpa, changes, decode, jwks, type JwtTarget, mint, queue, verifies, verifiesWith, withFrozenContoso } from './support.js';

/**
 * Signature, algorithm and header mutations, and c_hash/at_hash on hybrid and implicit
 * responses: each changes the header or the signature as described, and nothing in the claims;
 * where the signature is only disguised (XOR, reordered) undoing it verifies again.
 */

let m: TestMock;
withFrozenContoso((mock) => (m = mock));

const TARGETS: JwtTarget[] = ['id_token', 'access_token', 'refresh_id_token'];
const ignoreFor = (t: JwtTarget) => (t === 'access_token' ? ['exp'] : []);

async function pair(target: JwtTarget, kind: string): Promise<{ before: ReturnType<typeof decode>; token: string; after: ReturnType<typeof decode> }> {
  const before = decode(await mint(m, target));
  await queue(m, { target, kind });
  const token = await mint(m, target);
  expect(changes(before.claims, decode(token).claims, ignoreFor(target))).toEqual({});
  return { before, token, after: decode(token) };
}

const input = (jwt: string) => jwt.slice(0, jwt.lastIndexOf('.'));

describe.each(TARGETS)('%s signature mutations', (target) => {
  it('sig-xor: every signature byte XOR 0x5A (XOR again, and it verifies)', async () => {
    const { before, token, after } = await pair(target, 'sig-xor');
    expect(after.header).toEqual(before.header);
    expect(await verifies(m, token)).toBe(false);
    const undone = Buffer.from(Buffer.from(after.signature, 'base64url').map((b) => b ^ 0x5a));
    expect(verifiesWith(await jwks(m), String(after.header.kid), input(token), undone)).toBe(true);
  });

  it("sig-reordered: the signature's characters reversed (reversed back, it verifies)", async () => {
    const { token, after } = await pair(target, 'sig-reordered');
    expect(await verifies(m, token)).toBe(false);
    const undone = Buffer.from([...after.signature].reverse().join(''), 'base64url');
    expect(verifiesWith(await jwks(m), String(after.header.kid), input(token), undone)).toBe(true);
  });

  it('sig-truncated: half the signature', async () => {
    const { before, token, after } = await pair(target, 'sig-truncated');
    expect(after.signature.length).toBe(Math.floor(before.signature.length / 2));
    expect(await verifies(m, token)).toBe(false);
  });

  it('alg-none: alg "none", an empty signature', async () => {
    const { before, token, after } = await pair(target, 'alg-none');
    expect(token.endsWith('.')).toBe(true);
    expect(after.signature).toBe('');
    expect(changes(before.header, after.header)).toEqual({ alg: ['RS256', 'none'] });
  });

  it("alg-hs256: HS256, keyed with the signing key's public key (SPKI PEM)", async () => {
    const { before, token, after } = await pair(target, 'alg-hs256');
    expect(changes(before.header, after.header)).toEqual({ alg: ['RS256', 'HS256'] });
    const jwk = (await jwks(m)).find((k) => k.kid === after.header.kid)!;
    const pem = new X509Certificate(Buffer.from((jwk.x5c as string[])[0]!, 'base64')).publicKey.export({ type: 'spki', format: 'pem' });
    expect(after.signature).toBe(createHmac('sha256', pem).update(input(token)).digest('base64url'));
  });

  it('kid-absent: no kid (one key published); the signature still verifies with that key', async () => {
    const { before, token, after } = await pair(target, 'kid-absent');
    expect(changes(before.header, after.header)).toEqual({ kid: [before.header.kid, undefined] });
    const keys = await jwks(m);
    expect(keys).toHaveLength(1);
    expect(verifiesWith(keys, keys[0]!.kid, input(token), Buffer.from(after.signature, 'base64url'))).toBe(true);
  });

  it('kid-unknown: a kid no JWKS publishes', async () => {
    const { before, token, after } = await pair(target, 'kid-unknown');
    expect(changes(before.header, after.header)).toEqual({ kid: [before.header.kid, UNPUBLISHED_KID] });
    expect((await jwks(m)).map((k) => k.kid)).not.toContain(UNPUBLISHED_KID);
    expect(verifiesWith(await jwks(m), String(before.header.kid), input(token), Buffer.from(after.signature, 'base64url'))).toBe(true);
  });

  it('x5t-mismatch: an x5t that is not the kid (v2 tokens get one)', async () => {
    const { before, token, after } = await pair(target, 'x5t-mismatch');
    const diff = changes(before.header, after.header);
    expect(Object.keys(diff)).toEqual(['x5t']);
    expect(diff.x5t![0]).toBe(target === 'access_token' ? before.header.kid : undefined);
    expect(after.header.x5t).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(after.header.x5t).not.toBe(after.header.kid);
    expect(await verifies(m, token)).toBe(true);
  });
});

describe('kid-absent with several keys published', () => {
  it('the JWKS lists two keys; the kid-less token verifies with exactly one of them', async () => {
    await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/keys/rotate`, payload: {} });
    await queue(m, { target: 'id_token', kind: 'kid-absent' });
    const token = await mint(m, 'id_token');
    expect(decode(token).header.kid).toBeUndefined();
    const keys = await jwks(m);
    expect(keys).toHaveLength(2);
    const sig = Buffer.from(decode(token).signature, 'base64url');
    expect(keys.filter((k) => verifiesWith(keys, k.kid, input(token), sig)).map((k) => k.kid)).toEqual([keys[0]!.kid]);
  });
});

describe('graph-nonce on a token for the tenant’s own API', () => {
  it('adds a Graph-style header nonce and signs over its SHA-256, so the token fails a plain check', async () => {
    const { before, token, after } = await pair('access_token', 'graph-nonce');
    const diff = changes(before.header, after.header);
    expect(Object.keys(diff)).toEqual(['nonce']);
    expect(Object.keys(after.header)).toEqual(['typ', 'nonce', 'alg', 'x5t', 'kid']);
    expect(await verifies(m, token)).toBe(false);
    const signed = Buffer.from(
      JSON.stringify({ ...after.header, nonce: createHash('sha256').update(String(after.header.nonce)).digest('base64url') }),
    ).toString('base64url');
    const payload = token.split('.')[1]!;
    expect(verifiesWith(await jwks(m), String(after.header.kid), `${signed}.${payload}`, Buffer.from(after.signature, 'base64url'))).toBe(true);
  });

  it('is refused for ID tokens', async () => {
    const r = await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/mutations`, payload: { target: 'id_token', kind: 'graph-nonce' } });
    expect(r.statusCode).toBe(400);
  });
});

describe('c_hash and at_hash (hybrid and implicit responses)', () => {
  it.each([
    ['code id_token', 'c_hash-altered', 'c_hash', (h: string) => `${h}1`],
    ['code id_token', 'c_hash-removed', 'c_hash', () => undefined],
    ['id_token token', 'at_hash-altered', 'at_hash', (h: string) => `${h}1`],
    ['id_token token', 'at_hash-removed', 'at_hash', () => undefined],
  ] as const)('%s: %s', async (responseType, kind, claim, expected) => {
    await queue(m, { target: 'id_token', kind });
    const p = await authorizeSpa(m, responseType);
    const idToken = p.get('id_token')!;
    const over = claim === 'c_hash' ? p.get('code')! : p.get('access_token')!;
    const before = decode((await authorizeSpa(m, responseType)).get('id_token')!);
    expect(before.claims[claim]).toBeDefined();
    expect(changes(before.claims, decode(idToken).claims, ['c_hash', 'at_hash'])).toEqual({});
    expect(decode(idToken).claims[claim]).toEqual(expected(halfHash(over)));
    expect(await verifies(m, idToken)).toBe(true);
  });

  it('waits for an ID token that has the hash (a code-flow ID token has neither)', async () => {
    await queue(m, { target: 'id_token', kind: 'at_hash-removed' });
    const plain = decode(await mint(m, 'id_token'));
    expect(plain.claims.at_hash).toBeUndefined();
    const p = await authorizeSpa(m, 'id_token token');
    expect(decode(p.get('id_token')!).claims.at_hash).toBeUndefined();
    const again = await authorizeSpa(m, 'id_token token');
    expect(decode(again.get('id_token')!).claims.at_hash).toBe(halfHash(again.get('access_token')!));
  });
});

describe('Graph tokens are never mutated as access_token', () => {
  it('a Graph access token passes untouched; the next token for the tenant API takes the mutation', async () => {
    await queue(m, { target: 'access_token', kind: 'aud-near-miss' });
    const { bridgeCode, bridgeRedeem, json } = await import('../support/mock-app.js');
    const graph = decode(String(json(await bridgeRedeem(m, await bridgeCode(m))).access_token));
    expect(graph.claims.aud).toBe('00000003-0000-0000-c000-000000000000');
    expect(decode(await mint(m, 'access_token')).claims.aud).toBe('api://91e7eb8b-873b-4d06-bb0a-a7dc41634609' + '1');
  });
});
