import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILTER_DEPTH } from '../../src/graph/filter.js';
import { CONTOSO } from '../support/mock-app.js';
import { graphAppToken, serveMock, type ServedMock } from './control-support.js';

/**
 * Issue 9, item 10 ($filter): thousands of nested parentheses overflowed the recursive-descent
 * parser's stack and answered 500 generalException. Nesting is bounded; past the bound the answer
 * is Graph's 400 for a filter that does not parse. Over a real socket, with a real Graph token.
 */
let served: ServedMock;
let base: string;
let token: string;

beforeAll(async () => {
  served = await serveMock();
  base = served.address;
  token = await graphAppToken(base);
});
afterAll(() => served?.close());

async function filterGroups(
  filter: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { error?: { code: string; message: string }; value?: Array<{ id: string }> } }> {
  const r = await fetch(`${base}/v1.0/groups?$filter=${encodeURIComponent(filter)}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: r.status, body: (await r.json()) as { error?: { code: string; message: string } } };
}

const nest = (depth: number, inner: string): string => `${'('.repeat(depth)}${inner}${')'.repeat(depth)}`;
const engineering = `id eq '${CONTOSO.groups.engineering}'`;

function expectInvalidFilter(r: { status: number; body: { error?: { code: string; message: string } } }): void {
  expect(r.status).toBe(400);
  expect(r.body.error).toMatchObject({ code: 'BadRequest', message: 'Invalid filter clause' });
}

describe('$filter nesting depth', () => {
  it(`answers a filter nested ${MAX_FILTER_DEPTH} deep`, async () => {
    const r = await filterGroups(nest(MAX_FILTER_DEPTH, engineering));
    expect(r.status).toBe(200);
    expect(r.body.value?.map((u) => u.id)).toEqual([CONTOSO.groups.engineering]);
  });

  it('refuses one level deeper with Graph’s 400 for a filter that does not parse', async () => {
    expectInvalidFilter(await filterGroups(nest(MAX_FILTER_DEPTH + 1, engineering)));
  });

  it.each([3_000, 6_000])('refuses %i nested parentheses with a 400, not a 500', async (depth) => {
    expectInvalidFilter(await filterGroups(nest(depth, engineering)));
  });

  it('refuses 2,000 nested `not` (advanced query) and of parentheses inside a lambda', async () => {
    const advanced = { ConsistencyLevel: 'eventual' };
    expectInvalidFilter(await filterGroups(`${'not '.repeat(2_000)}${engineering}`, advanced));
    expectInvalidFilter(await filterGroups(`groupTypes/any(c:${nest(6_000, "c eq 'Unified'")})`));
  });

  it('still answers a long flat filter (and/or chains do not nest)', async () => {
    const r = await filterGroups(Array.from({ length: 200 }, () => engineering).join(' or '));
    expect(r.status).toBe(200);
    expect(r.body.value?.map((u) => u.id)).toEqual([CONTOSO.groups.engineering]);
  });
});
