import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createContext } from '../../src/server.js';
import { CONTROL_LIMIT_DEFAULTS, resolveOptions } from '../../src/config/options.js';
import { MAX_BODY_DEPTH } from '../../src/surfaces/control/control-body.js';
import { serveMock, send, controlError, contosoCopy, json, T, type ServedMock } from './control-support.js';

/**
 * Issue 9 items 5 (what one control request may take) and 10 (control bodies nested deep enough
 * to overflow a recursion). Before the fix, a 192-byte `POST /_mock/tenants` generating 200,000
 * users and 20,000 groups held the event loop for seconds and took 210 MiB, tenants were
 * uncapped, and a PATCH whose value nested 100,000 arrays answered 500 with the token endpoint's
 * AADSTS50000 body. Against a real server over HTTP.
 */

const discovery = `/${T}/v2.0/.well-known/openid-configuration`;
const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const newTenant = (n: number) => ({
  id: `c1b2c3d4-0000-4000-8000-${String(n).padStart(12, '0')}`,
  displayName: `Limits ${n}`,
  verifiedDomains: [`limits${n}.example.com`],
});

let s: ServedMock;
beforeAll(async () => {
  s = await serveMock();
});
afterAll(() => s?.close());

describe('generation through the control API', () => {
  it('refuses the 192-byte request for 200,000 users and 20,000 groups, naming the option to raise, while discovery answers', async () => {
    const body = JSON.stringify({ extends: 'contoso', ...newTenant(1), generate: { seed: 1, users: 200_000, groups: 20_000 } });
    const [r, d] = await Promise.all([
      send(s.port, 'POST', '/_mock/tenants', { headers: { 'content-type': 'application/json' }, body }),
      send(s.port, 'GET', discovery),
    ]);
    expect(r.status).toBe(400);
    expect(controlError(r)).toEqual({
      code: 'LimitExceeded',
      message:
        'generate.users is 200000: the test-control API generates at most 10000 users per request. Start the mock with --max-generated-users N (MOCK_ENTRA_MAX_GENERATED_USERS) to allow more, or load the tenant from a fixture file when the mock starts (those are not bound by this limit).',
    });
    expect(d.status).toBe(200);
    expect((await send(s.port, 'GET', `/_mock/tenants/${newTenant(1).id}`)).status).toBe(404);
  });

  it('refuses too many groups, and generation added by PUT or by JSON Patch, in the same words', async () => {
    const groups = await send(s.port, 'POST', '/_mock/tenants', json({ extends: 'contoso', ...newTenant(2), generate: { seed: 1, users: 10, groups: 5_001 } }));
    expect(controlError(groups).message).toMatch(
      /^generate\.groups is 5001: the test-control API generates at most 5000 groups per request\. Start the mock with --max-generated-groups N \(MOCK_ENTRA_MAX_GENERATED_GROUPS\)/,
    );
    const { fixture } = (await send(s.port, 'GET', `/_mock/tenants/${T}`)).json as { fixture: Record<string, unknown> };
    const put = await send(s.port, 'PUT', `/_mock/tenants/${T}/fixture`, json({ ...fixture, generate: { seed: 1, users: 10_001, groups: 1 } }));
    expect(put.status).toBe(400);
    expect(controlError(put).code).toBe('LimitExceeded');
    const patch = await send(s.port, 'PATCH', `/_mock/tenants/${T}/fixture`, {
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'add', path: '/generate', value: { seed: 1, users: 1_000_000, groups: 0 } }]),
    });
    expect(patch.status).toBe(400);
    expect(controlError(patch).message).toMatch(/^generate\.users is 1000000/);
  });

  it('generates up to the limit, and the limits follow the serve options', async () => {
    const small = await serveMock({ maxGeneratedUsers: 50, maxGeneratedGroups: 5 });
    try {
      const ok = await send(small.port, 'POST', '/_mock/tenants', json({ extends: 'contoso', ...newTenant(3), generate: { seed: 1, users: 50, groups: 5 } }));
      expect(ok.status, ok.body).toBe(201);
      const over = await send(small.port, 'POST', '/_mock/tenants', json({ extends: 'contoso', ...newTenant(4), generate: { seed: 1, users: 51, groups: 5 } }));
      expect(controlError(over).message).toMatch(/^generate\.users is 51: the test-control API generates at most 50 users per request/);
    } finally {
      await small.close();
    }
  });

  it('does not bind fixtures given at start (a big tenant belongs there)', async () => {
    const ctx = await createContext({
      fixtures: [{ tenants: [{ extends: 'contoso', ...newTenant(5), generate: { seed: 1, users: 3_000, groups: 600 } }] }],
      maxGeneratedUsers: 10,
      maxGeneratedGroups: 1,
    });
    try {
      expect(ctx.tenants.get(newTenant(5).id)?.directory.users.size).toBeGreaterThan(3_000);
    } finally {
      ctx.store.close();
    }
  });

  it('documents its defaults, and refuses a limit that is not a whole number', () => {
    expect(CONTROL_LIMIT_DEFAULTS).toEqual({ maxTenants: 100, maxGeneratedUsers: 10_000, maxGeneratedGroups: 5_000 });
    expect(resolveOptions({})).toMatchObject({ ...CONTROL_LIMIT_DEFAULTS, controlToken: undefined });
    expect(resolveOptions({ controlToken: '' }).controlToken).toBeUndefined();
    expect(() => resolveOptions({ maxTenants: -1 })).toThrow('maxTenants must be a whole number ≥ 0, not -1');
    expect(() => resolveOptions({ maxGeneratedUsers: 1.5 })).toThrow('maxGeneratedUsers must be a whole number');
  });
});

describe('how many tenants exist', () => {
  it('refuses the create beyond --max-tenants with 409 naming the option, and takes one again after a delete', async () => {
    const capped = await serveMock({ maxTenants: 3 });
    try {
      for (const n of [6, 7])
        expect(
          (await send(capped.port, 'POST', '/_mock/tenants', json(await contosoCopy(capped.port, newTenant(n).id, newTenant(n).verifiedDomains[0]!)))).status,
        ).toBe(201);
      const refused = await send(
        capped.port,
        'POST',
        '/_mock/tenants',
        json(await contosoCopy(capped.port, newTenant(8).id, newTenant(8).verifiedDomains[0]!)),
      );
      expect(refused.status).toBe(409);
      expect(controlError(refused)).toEqual({
        code: 'LimitExceeded',
        message:
          'This mock holds 3 tenants and allows at most 3: delete one (DELETE /_mock/tenants/{id}), or start the mock with --max-tenants N (MOCK_ENTRA_MAX_TENANTS) to allow more.',
      });
      expect((await send(capped.port, 'GET', `/_mock/tenants/${newTenant(8).id}`)).status).toBe(404);
      expect((await send(capped.port, 'DELETE', `/_mock/tenants/${newTenant(6).id}`)).status).toBe(204);
      expect(
        (await send(capped.port, 'POST', '/_mock/tenants', json(await contosoCopy(capped.port, newTenant(8).id, newTenant(8).verifiedDomains[0]!)))).status,
      ).toBe(201);
    } finally {
      await capped.close();
    }
  });
});

describe('control bodies nested deeper than the limit (item 10)', () => {
  const expectDepthRefusal = (r: Awaited<ReturnType<typeof send>>, what: string): void => {
    expect(r.status, `${what}: ${r.body.slice(0, 300)}`).toBe(400);
    expect(controlError(r), what).toEqual({
      code: 'BadRequest',
      message: expect.stringMatching(new RegExp(`^The body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels \\(at /`)),
    });
    expect(r.body).not.toContain('AADSTS');
  };

  it('answers 400 in the control shape for PATCH, PUT fixture and POST tenants with 100,000 nested arrays, while discovery answers', async () => {
    const patch = `[{"op":"replace","path":"/displayName","value":${deep(100_000)}}]`;
    const [p, d] = await Promise.all([
      send(s.port, 'PATCH', `/_mock/tenants/${T}/fixture`, { headers: { 'content-type': 'application/json-patch+json' }, body: patch }),
      send(s.port, 'GET', discovery),
    ]);
    expectDepthRefusal(p, 'PATCH');
    expect(controlError(p).message).toContain('(at /0/value/0/0/0');
    expect(d.status).toBe(200);
    expectDepthRefusal(
      await send(s.port, 'PUT', `/_mock/tenants/${T}/fixture`, {
        headers: { 'content-type': 'application/json' },
        body: `{"id":"${T}","displayName":${deep(100_000)}}`,
      }),
      'PUT',
    );
    expectDepthRefusal(
      await send(s.port, 'POST', '/_mock/tenants', {
        headers: { 'content-type': 'application/json' },
        body: `{"tenants":[{"users":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}]}`,
      }),
      'POST',
    );
    expectDepthRefusal(
      await send(s.port, 'POST', `/_mock/tenants/${T}/clock/advance`, { headers: { 'content-type': 'application/json' }, body: `{"seconds":${deep(65)}}` }),
      'clock',
    );
  });

  it('takes a body exactly at the limit to the route (which judges it as usual)', async () => {
    const r = await send(s.port, 'POST', `/_mock/tenants/${T}/clock/advance`, {
      headers: { 'content-type': 'application/json' },
      body: `{"seconds":${deep(MAX_BODY_DEPTH - 1)}}`,
    });
    expect(controlError(r)).toEqual({ code: 'BadRequest', message: 'Send {"seconds": <number>}.' });
  });
});
