import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, mockApp, type TestMock } from '../support/mock-app.js';
import { appToken, expectGraphError, graph, ids, nextPath, ok, values } from './graph-support.js';

/** $select, $top, $filter, $count, $orderby, $search, $skiptoken: what Graph accepts and its refusals, word for word. */
let m: TestMock;
let app: string;

beforeAll(async () => {
  m = await mockApp();
  app = await appToken(m);
});
afterAll(() => m.close());

const groups = (query: string, headers: Record<string, string> = {}) => graph(m, app, `/v1.0/groups?${query}`, { headers });
const f = (filter: string) => `$filter=${encodeURIComponent(filter)}`;

describe('$top', () => {
  it('defaults to 100 and accepts 1–999', async () => {
    expect(values(ok(await groups('$top=1')))).toHaveLength(1);
    expect(values(ok(await groups('$top=999')))).toHaveLength(3);
  });

  it.each(['0', '1000', '5000'])('refuses $top=%s with Request_UnsupportedQuery', async (top) => {
    expectGraphError(
      await groups(`$top=${top}`),
      400,
      'Request_UnsupportedQuery',
      `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
    );
  });

  it('refuses a $top that is not a number', async () => {
    expectGraphError(
      await groups('$top=ten'),
      400,
      'BadRequest',
      "Invalid value 'ten' for $top query option found. The $top query option requires a non-negative integer value.",
    );
  });
});

describe('query option names', () => {
  it('are case-insensitive', async () => {
    expect(values(ok(await groups('$TOP=1&$Select=id')))).toEqual([
      { id: [CONTOSO.groups.engineering, CONTOSO.groups.dataStewards, CONTOSO.groups.allCompany].sort()[0] },
    ]);
  });

  it('may appear once', async () => {
    expectGraphError(
      await groups('$top=1&$top=2'),
      400,
      'BadRequest',
      "Query option '$top' was specified more than once, but it must be specified at most once.",
    );
  });

  it('must be known; $skip is refused as Graph refuses it on directory objects', async () => {
    expectGraphError(await groups('$frobnicate=1'), 400, 'BadRequest', "The query parameter '$frobnicate' is not supported.");
    expectGraphError(await groups('$skip=1'), 400, 'Request_BadRequest', "'$skip' is not supported by the service.");
  });

  it('ignores parameters without $', async () => {
    expect(values(ok(await groups('api-version=1.6&foo=bar')))).toHaveLength(3);
  });

  it('says plainly which $expand the mock does not serve (not Graph’s answer)', async () => {
    expectGraphError(await groups('$expand=transitiveMembers'), 501, 'NotImplemented', 'mock-entra does not implement $expand=transitiveMembers on groups.');
    expectGraphError(await groups('$expand=members,owners'), 501, 'NotImplemented', 'mock-entra does not implement $expand=members,owners.');
  });
});

describe('$count', () => {
  it('refuses a value other than true or false', async () => {
    expectGraphError(await groups('$count=yes'), 400, 'BadRequest', "'yes' is not a valid count option.");
  });
});

describe('$filter refusals', () => {
  it.each([
    [`displayName eq`],
    [`displayName eq 'unterminated`],
    [`displayName equals 'x'`],
    [`securityEnabled eq 'true'`],
    [`displayName eq true`],
    [`startswith(displayName)`],
    [`groupTypes eq 'Unified'`],
    [`(displayName eq 'x'`],
    [`displayName eq 'x' and`],
    [`groupTypes/all(c:c eq 'Unified')`],
  ])('%s → 400 BadRequest "Invalid filter clause"', async (filter) => {
    expectGraphError(await groups(f(filter)), 400, 'BadRequest', 'Invalid filter clause');
  });

  it('names a property the type does not have', async () => {
    expectGraphError(
      await groups(f(`colour eq 'blue'`)),
      400,
      'BadRequest',
      "Invalid filter clause: Could not find a property named 'colour' on type 'microsoft.graph.group'.",
    );
  });

  it.each([
    ['theme', `theme eq 'Red'`],
    ['displayName', `contains(displayName,'eer')`],
    ['displayName', `displayName gt 'A'`],
    ['createdDateTime', `createdDateTime ge 2021-01-01T00:00:00Z`],
    ['classification', `classification eq 'x'`],
  ])('refuses a clause the directory cannot run on %s', async (property, filter) => {
    expectGraphError(
      await groups(f(filter)),
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for property '${property}' of resource 'Group'.`,
    );
  });

  it.each([
    ['ne', `displayName ne 'x'`],
    ['not', `not(displayName eq 'x')`],
    ['endsWith', `endswith(mail,'@contoso.com')`],
  ])('refuses %s outside advanced queries, with Graph’s hint', async (operator, filter) => {
    const message = `Operator '${operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`;
    expectGraphError(await groups(f(filter)), 400, 'Request_UnsupportedQuery', message);
    // $count=true alone, or the header alone, is not an advanced query.
    expectGraphError(await groups(`${f(filter)}&$count=true`), 400, 'Request_UnsupportedQuery', message);
    expectGraphError(await groups(f(filter), { ConsistencyLevel: 'eventual' }), 400, 'Request_UnsupportedQuery', message);
    expect(ok(await groups(`${f(filter)}&$count=true`, { ConsistencyLevel: 'eventual' }))).toHaveProperty('@odata.count');
  });

  it('refuses eq null outside advanced queries', async () => {
    const r = await groups(f(`mail eq null`));
    expectGraphError(
      r,
      400,
      'Request_UnsupportedQuery',
      "Operator 'eq' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
    );
  });
});

describe('$select refusals', () => {
  it('names the property and the type', async () => {
    expectGraphError(await groups('$select=id,colour'), 400, 'BadRequest', "Could not find a property named 'colour' on type 'microsoft.graph.group'.");
  });
});

describe('$skiptoken', () => {
  it('is stable: the same page gives the same token', async () => {
    const a = ok(await groups('$top=1&$select=id'));
    const b = ok(await groups('$top=1&$select=id'));
    expect(a['@odata.nextLink']).toBe(b['@odata.nextLink']);
  });

  it('is refused when changed, forged, or used for another query', async () => {
    const link = nextPath(ok(await groups('$top=1&$select=id')))!;
    const token = decodeURIComponent(link.split('$skiptoken=')[1]!);
    const flipped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    for (const bad of [flipped, 'RFNwdAIAeyJ0IjoiIn0', 'garbage', "X'4453707402'"]) {
      expectGraphError(await groups(`$top=1&$skiptoken=${encodeURIComponent(bad)}`), 400, 'Request_BadRequest', 'Invalid Skip Token');
    }
    // A token from /groups is not a token for /groups filtered differently.
    expectGraphError(
      await groups(`$top=1&${f(`securityEnabled eq true`)}&$skiptoken=${encodeURIComponent(token)}`),
      400,
      'Request_BadRequest',
      'Invalid Skip Token',
    );
  });

  it('keeps its place when $select changes between pages', async () => {
    const first = ok(await groups('$top=2&$select=id'));
    const token = decodeURIComponent(nextPath(first)!.split('$skiptoken=')[1]!);
    const second = ok(await groups(`$top=2&$select=displayName,id&$skiptoken=${encodeURIComponent(token)}`));
    expect([...ids(first), ...ids(second)]).toHaveLength(3);
    expect(Object.keys(values(second)[0]!)).toEqual(['displayName', 'id']);
  });
});
