import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileGlob } from '../../src/runtime/path-glob.js';
import { CONTOSO, T } from '../support/mock-app.js';
import { graphAppToken, serveMock, type ServedMock } from './control-support.js';

/**
 * Issue 9, item 3: a Graph fault's path pattern is the test's input, and every Graph call of the
 * tenant runs it. Patterns that made V8's backtracking engine run for seconds or hours — on one
 * call, or in the guard that was meant to catch them — are now accepted or refused at once, and a
 * Graph call matched against them answers while discovery keeps answering. Over a real socket:
 * a blocked event loop shows there as a request that never completes (the test times out).
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

const faults = `/_mock/tenants/${T}/graph/faults`;
const discovery = `/${T}/v2.0/.well-known/openid-configuration`;

async function setFault(spec: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(base + faults, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function callGraph(path: string): Promise<{ status: number; code: string | undefined }> {
  const r = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await r.json()) as { error?: { code: string } };
  return { status: r.status, code: body.error?.code };
}

async function discover(): Promise<number> {
  return (await fetch(base + discovery)).status;
}

/** The Graph call and a discovery request, sent together: both must come back. */
async function graphBesideDiscovery(path: string): Promise<{ graph: { status: number; code: string | undefined }; discovery: number }> {
  const [graph, discoveryStatus] = await Promise.all([callGraph(path), discover()]);
  return { graph, discovery: discoveryStatus };
}

const clear = (): Promise<Response> => fetch(base + faults, { method: 'DELETE' });

describe('pathRegex runs on a linear-time engine (RE2)', () => {
  it('takes (a|a)+$ — which passed the old nested-quantifier guard — and a Graph call it does not match answers while discovery answers', async () => {
    await clear();
    const set = await setFault({ status: 429, pathRegex: '(a|a)+$' });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ pathRegex: '(a|a)+$', matched: 0 });
    // V8 took 15.5 s on 27 a's and a '!'; 40 of them would take hours.
    const attack = await graphBesideDiscovery(`/v1.0/groups/${'a'.repeat(40)}!`);
    expect(attack.discovery).toBe(200);
    expect(attack.graph).toEqual({ status: 400, code: 'Request_BadRequest' }); // not a GUID: Graph's own answer, the fault did not match
    // The expression still means what it says: a path ending in a's is faulted.
    expect(await callGraph(`/v1.0/groups/${'a'.repeat(40)}`)).toEqual({ status: 429, code: 'TooManyRequests' });
  });

  it('takes the nested quantifiers the old guard refused, like (a+)+$, and matches them at once', async () => {
    await clear();
    expect((await setFault({ status: 503, pathRegex: '/(\\w+/?)+$' })).status).toBe(201);
    const attack = await graphBesideDiscovery(`/v1.0/groups/${'a'.repeat(40)}!`);
    expect(attack).toEqual({ discovery: 200, graph: { status: 400, code: 'Request_BadRequest' } });
  });

  it('refuses backreferences and lookaround, which RE2 does not run, in the control API’s shape', async () => {
    for (const [pattern, reason] of [
      ['(a)\\1', 'invalid escape sequence: `\\1`'],
      ['groups(?=/)', 'invalid or unsupported Perl syntax: `(?=`'],
    ] as const) {
      const r = await setFault({ status: 429, pathRegex: pattern });
      expect(r.status).toBe(400);
      const message = `'pathRegex' uses syntax that RE2, the linear-time engine faults match with, does not support (backreferences and lookaround are not supported): error parsing regexp: ${reason}.`;
      expect(r.body).toEqual({ error: { code: 'InvalidFault', message, issues: [message] } });
    }
  });

  it('refuses a 120 KB pattern by its length before compiling or scanning it (the old guard was cubic on it), while discovery answers', async () => {
    // Valid JavaScript, full of `(` and quantifiers: the old guard scanned it for hours.
    const pattern = '\\(a*'.repeat(30_000);
    const [r, discoveryStatus] = await Promise.all([setFault({ status: 429, pathRegex: pattern }), discover()]);
    expect(discoveryStatus).toBe(200);
    expect(r.status).toBe(400);
    const message = "'pathRegex' is longer than 500 characters.";
    expect(r.body).toEqual({ error: { code: 'InvalidFault', message, issues: [message] } });
    const glob = await setFault({ status: 429, path: '*'.repeat(120_000) });
    expect(glob.body).toEqual({
      error: { code: 'InvalidFault', message: "'path' is longer than 500 characters.", issues: ["'path' is longer than 500 characters."] },
    });
  });
});

describe('the path glob matches without backtracking, keeping its meaning', () => {
  it('takes *********! and a Graph call it does not match answers while discovery answers; one it matches is faulted', async () => {
    await clear();
    expect((await setFault({ status: 429, path: '*********!' })).status).toBe(201);
    // As a RegExp (^.*.*.*.*.*.*.*.*.*!$) this took 20 s on a path without the '!'.
    const attack = await graphBesideDiscovery(`/v1.0/groups/${'a'.repeat(40)}`);
    expect(attack).toEqual({ discovery: 200, graph: { status: 400, code: 'Request_BadRequest' } });
    expect(await callGraph(`/v1.0/groups/${'a'.repeat(40)}!`)).toEqual({ status: 429, code: 'TooManyRequests' });
  });

  it('`*` crosses `/`, `?` is one character, case is ignored', async () => {
    await clear();
    expect((await setFault({ status: 503, path: '/V1.0/*/members' })).status).toBe(201);
    expect(await callGraph(`/v1.0/groups/${CONTOSO.groups.engineering}/members`)).toEqual({ status: 503, code: 'serviceNotAvailable' });
    await clear();
    expect((await setFault({ status: 503, path: `/v1.0/groups/${CONTOSO.groups.engineering.slice(0, -1)}?` })).status).toBe(201);
    expect(await callGraph(`/v1.0/groups/${CONTOSO.groups.engineering}`)).toEqual({ status: 503, code: 'serviceNotAvailable' });
    expect((await callGraph(`/v1.0/groups/${CONTOSO.groups.engineering}/members`)).status).toBe(200);
    await clear();
  });
});

describe('compileGlob', () => {
  /** The old RegExp translation: the meaning the matcher keeps (safe here: short strings). */
  const asRegExp = (glob: string): RegExp =>
    new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
  it('agrees with the RegExp translation on every short glob and path of a small alphabet', () => {
    let seed = 7;
    const rand = (n: number): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    const pick = (alphabet: string, max: number): string => Array.from({ length: rand(max + 1) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const glob = pick('aB/*?', 7);
      const path = pick('abAB/', 9);
      expect(compileGlob(glob)(path), `${glob} on ${path}`).toBe(asRegExp(glob).test(path));
    }
  });
});
