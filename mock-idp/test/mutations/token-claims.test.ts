import { describe, expect, it } from 'vitest';
import { GRAPH_APP_ID } from '../../src/directory/microsoft-graph.js';
import { OTHER_TENANT_ID, otherSubject, SECOND_AUDIENCE, WILD_AUDIENCE, WILD_ISSUER } from '../../src/tokens/mutations.js';
import { CONTOSO, ORIGIN, T, type TestMock } from '../support/mock-app.js';
import { changes, decode, FROZEN_S, type JwtTarget, mint, NONCE, queue, verifies, withFrozenContoso } from './support.js';

/**
 * Claim mutations of ID tokens, access tokens (an app-only token for the tenant's own API, v1) and
 * refresh responses' ID tokens: with the tenant clock frozen, an unmutated token and a mutated
 * one minted the same way differ in exactly the mutated claim (opaque values aside), and the
 * mutated token is still signed by the tenant's key.
 */

let m: TestMock;
withFrozenContoso((mock) => (m = mock));

const V2_ISS = `${ORIGIN}/${T}/v2.0`;
const V1_ISS = `https://sts.windows.net/${T}/`;
const NOW = FROZEN_S;
const OTHER = '11111111-2222-4333-8444-555555555555';

interface Case {
  kind: string;
  params?: Record<string, unknown>;
  /** The expected change, from the unmutated token's claims. */
  expected: (before: Record<string, unknown>, target: JwtTarget) => Record<string, [unknown, unknown]>;
}

const ALL: JwtTarget[] = ['id_token', 'access_token', 'refresh_id_token'];
const issOf = (t: JwtTarget) => (t === 'access_token' ? V1_ISS : V2_ISS);
const clientOf = (t: JwtTarget) => (t === 'access_token' ? CONTOSO.ingestion.appId : CONTOSO.bridge.appId);

const CASES: Case[] = [
  { kind: 'iss-near-miss', expected: (b) => ({ iss: [b.iss, `${String(b.iss)}1`] }) },
  { kind: 'iss-wild', expected: (b) => ({ iss: [b.iss, WILD_ISSUER] }) },
  { kind: 'iss-wild', params: { value: 'https://evil.example/' }, expected: (b) => ({ iss: [b.iss, 'https://evil.example/'] }) },
  { kind: 'iss-trailing-slash', expected: (b) => ({ iss: [b.iss, `${String(b.iss)}/`] }) },
  { kind: 'iss-version-swapped', expected: (b, t) => ({ iss: [b.iss, t === 'access_token' ? V2_ISS : V1_ISS] }) },
  {
    kind: 'iss-template',
    expected: (b, t) => ({ iss: [b.iss, t === 'access_token' ? 'https://sts.windows.net/{tenantid}/' : `${ORIGIN}/{tenantid}/v2.0`] }),
  },
  { kind: 'iss-other-tenant', expected: (b, t) => ({ iss: [b.iss, issOf(t).replace(T, OTHER_TENANT_ID)] }) },
  { kind: 'iss-other-tenant', params: { tenantId: OTHER }, expected: (b, t) => ({ iss: [b.iss, issOf(t).replace(T, OTHER)] }) },
  { kind: 'tid-other-tenant', expected: () => ({ tid: [T, OTHER_TENANT_ID] }) },
  { kind: 'aud-near-miss', expected: (b) => ({ aud: [b.aud, `${String(b.aud)}1`] }) },
  { kind: 'aud-wild', expected: (b) => ({ aud: [b.aud, WILD_AUDIENCE] }) },
  { kind: 'aud-graph', expected: (b) => ({ aud: [b.aud, GRAPH_APP_ID] }) },
  { kind: 'aud-array', expected: (b) => ({ aud: [b.aud, [b.aud, SECOND_AUDIENCE]] }) },
  { kind: 'aud-array', params: { value: 'api://second' }, expected: (b) => ({ aud: [b.aud, [b.aud, 'api://second']] }) },
  { kind: 'sub-removed', expected: (b) => ({ sub: [b.sub, undefined] }) },
  { kind: 'sub-other', expected: (b, t) => ({ sub: [b.sub, otherSubject(T, clientOf(t))] }) },
  { kind: 'iat-removed', expected: (b) => ({ iat: [b.iat, undefined] }) },
  { kind: 'exp-removed', expected: (b) => ({ exp: [b.exp, undefined] }) },
  { kind: 'aud-removed', expected: (b) => ({ aud: [b.aud, undefined] }) },
  { kind: 'iss-removed', expected: (b) => ({ iss: [b.iss, undefined] }) },
  { kind: 'iat-week-old', expected: (b) => ({ iat: [b.iat, Number(b.iat) - 7 * 86_400] }) },
  { kind: 'exp-past', expected: (b) => ({ exp: [b.exp, NOW - 60] }) },
  { kind: 'exp-past', params: { seconds: 7200 }, expected: (b) => ({ exp: [b.exp, NOW - 7200] }) },
  { kind: 'nbf-future', expected: (b) => ({ nbf: [b.nbf, NOW + 3600] }) },
  { kind: 'nbf-future', params: { seconds: 90 }, expected: (b) => ({ nbf: [b.nbf, NOW + 90] }) },
];

describe.each(ALL)('%s claim mutations', (target) => {
  it.each(CASES.map((c) => [`${c.kind}${c.params ? ` ${JSON.stringify(c.params)}` : ''}`, c] as const))('%s changes exactly that claim', async (_name, c) => {
    const before = decode(await mint(m, target));
    await queue(m, { target, kind: c.kind, ...c.params });
    const token = await mint(m, target);
    const after = decode(token);
    // Access tokens live 60–90 minutes at random: exp is compared only where it is the mutation.
    const ignore = target === 'access_token' && !c.kind.startsWith('exp-') ? ['exp'] : [];
    const expected = c.expected(before.claims, target);
    if (target === 'access_token' && c.kind === 'exp-removed') expected.exp = [before.claims.exp, undefined];
    const diff = changes(before.claims, after.claims, ignore);
    if (target === 'access_token' && c.kind.startsWith('exp-')) {
      expect(Object.keys(diff)).toEqual(['exp']);
      expect(diff.exp![1]).toEqual(expected.exp![1]);
    } else expect(diff).toEqual(expected);
    expect(after.header).toEqual(before.header);
    expect(await verifies(m, token)).toBe(true);
    // Spent: the next token is the real one again.
    expect(changes(before.claims, decode(await mint(m, target)).claims, target === 'access_token' ? ['exp'] : [])).toEqual({});
  });
});

describe('nonce mutations (ID tokens that carry a nonce)', () => {
  it.each([
    ['nonce-near-miss', {}, `${NONCE}1`],
    ['nonce-wild', { value: 'wild-nonce' }, 'wild-nonce'],
    ['nonce-removed', {}, undefined],
  ] as const)('%s', async (kind, params, value) => {
    const before = decode(await mint(m, 'id_token'));
    expect(before.claims.nonce).toBe(NONCE);
    await queue(m, { target: 'id_token', kind, ...params });
    const token = await mint(m, 'id_token');
    expect(changes(before.claims, decode(token).claims)).toEqual({ nonce: [NONCE, value] });
    expect(await verifies(m, token)).toBe(true);
  });

  it('nonce-wild without a value puts a random nonce', async () => {
    await queue(m, { target: 'id_token', kind: 'nonce-wild' });
    const nonce = decode(await mint(m, 'id_token')).claims.nonce;
    expect(typeof nonce).toBe('string');
    expect(nonce).not.toBe(NONCE);
  });

  it('waits for a token that has a nonce: a refresh response has none, so only refresh_id_token takes other kinds', async () => {
    const r = await m.inject({ method: 'POST', url: `/_mock/tenants/${T}/mutations`, payload: { target: 'access_token', kind: 'nonce-removed' } });
    expect(r.statusCode).toBe(400);
    await queue(m, { target: 'id_token', kind: 'nonce-near-miss' });
    // Code redeemed without a nonce: the mutation waits for a token that has one.
    const { bridgeCode, bridgeRedeem, json } = await import('../support/mock-app.js');
    const plain = decode(String(json(await bridgeRedeem(m, await bridgeCode(m))).id_token));
    expect(plain.claims.nonce).toBeUndefined();
    expect(json(await m.inject(`/_mock/tenants/${T}/mutations`)).mutations).toMatchObject([{ kind: 'nonce-near-miss', remaining: 1, applied: 0 }]);
    expect(decode(await mint(m, 'id_token')).claims.nonce).toBe(`${NONCE}1`);
  });
});

describe('id_token and refresh_id_token are apart', () => {
  it('an id_token mutation leaves the refresh response alone, and the other way round', async () => {
    await queue(m, { target: 'refresh_id_token', kind: 'iss-near-miss' });
    const first = decode(await mint(m, 'id_token'));
    expect(first.claims.iss).toBe(V2_ISS);
    expect(decode(await mint(m, 'refresh_id_token')).claims.iss).toBe(`${V2_ISS}1`);
    await queue(m, { target: 'id_token', kind: 'iss-near-miss' });
    // mint('refresh_id_token') redeems a code first: that ID token takes the id_token mutation.
    expect(decode(await mint(m, 'refresh_id_token')).claims.iss).toBe(V2_ISS);
  });
});
