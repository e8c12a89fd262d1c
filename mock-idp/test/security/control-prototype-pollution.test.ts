import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CONTOSO } from '../../src/contoso.js';
import { loadFixtures } from '../../src/directory/load-fixture.js';
import { FixtureError } from '../../src/directory/fixture-issues.js';
import { applyPatch, PatchError } from '../../src/support/json-patch.js';
import { serveMock, send, controlError, contosoCopy, json, T, type ServedMock } from './control-support.js';

/**
 * Issue 9 item 1: prototype pollution through the test-control API's JSON Patch. Before the fix,
 * `PATCH /_mock/tenants/{T}/fixture` with an `add` at `/__proto__/…` was refused as an invalid
 * fixture — after writing into Object.prototype, so every object in the process had the field:
 * an app without its own `spa` took the attacker's redirect URI, `accountEnabled: false` blocked
 * every sign-in, a stray `x` made every later tenant invalid. Each effect is checked after the
 * attack, against a real server over HTTP.
 */

const EVIL_REDIRECT = 'https://evil.example/steal';
const patchPath = `/_mock/tenants/${T}/fixture`;
const patch = (port: number, ops: unknown) =>
  send(port, 'PATCH', patchPath, { headers: { 'content-type': 'application/json-patch+json' }, body: JSON.stringify(ops) });
const protoKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();

/** Sign in as Adele for the bridge (no page: mock_login=auto), to `redirectUri`. */
const authorize = (port: number, redirectUri: string) =>
  send(
    port,
    'GET',
    `/${T}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: CONTOSO.bridge.appId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid profile', state: 's1', mock_login: 'auto', login_hint: CONTOSO.users.adele.upn }).toString()}`,
  );

let s: ServedMock;
let keysAtStart: string[];
beforeAll(async () => {
  keysAtStart = protoKeys();
  s = await serveMock();
});
afterAll(async () => {
  await s?.close();
  // Nothing may have leaked into this process's prototypes, whatever failed above.
  expect(protoKeys()).toEqual(keysAtStart);
});

describe('JSON Patch cannot reach a prototype (over HTTP)', () => {
  it('refuses /__proto__/spa with 400 naming the path, and an app without spa still refuses the attacker’s redirect URI', async () => {
    const r = await patch(s.port, [{ op: 'add', path: '/__proto__/spa', value: { redirectUris: [EVIL_REDIRECT] } }]);
    // The effect first: the code must not be sent to the attacker's URI.
    const attack = await authorize(s.port, EVIL_REDIRECT);
    expect(String(attack.headers.location ?? '')).not.toContain('evil.example');
    expect(attack.body).toContain('AADSTS50011');
    expect(({} as { spa?: unknown }).spa).toBeUndefined();

    expect(r.status).toBe(400);
    expect(controlError(r)).toEqual({
      code: 'BadRequest',
      message: 'operation 0: path "/__proto__/spa" names "__proto__", which leads to an object\'s prototype: no fixture field has that name',
    });
  });

  it('refuses /__proto__/accountEnabled, and sign-ins keep working', async () => {
    const r = await patch(s.port, [{ op: 'add', path: '/__proto__/accountEnabled', value: false }]);
    const signIn = await authorize(s.port, CONTOSO.bridge.redirectUri);
    expect(signIn.status).toBe(302);
    expect(new URL(String(signIn.headers.location)).searchParams.get('code')).toBeTruthy();

    expect(r.status).toBe(400);
    expect(controlError(r).message).toContain('path "/__proto__/accountEnabled" names "__proto__"');
  });

  it('refuses /__proto__/x, and a tenant can still be created afterwards', async () => {
    const r = await patch(s.port, [{ op: 'add', path: '/__proto__/x', value: 1 }]);
    const created = await send(
      s.port,
      'POST',
      '/_mock/tenants',
      json(await contosoCopy(s.port, 'a1b2c3d4-0000-4000-8000-00000000d001', 'proto-after.example.com')),
    );
    expect(created.status, created.body).toBe(201);

    expect(r.status).toBe(400);
    expect(controlError(r).code).toBe('BadRequest');
  });

  it('refuses constructor/prototype paths at any depth, and __proto__ keys inside values', async () => {
    for (const path of [
      '/constructor/prototype/spa',
      '/applications/0/constructor/prototype/spa',
      '/users/0/__proto__/accountEnabled',
      '/prototype',
      '/applications/0/constructor',
    ]) {
      const r = await patch(s.port, [{ op: 'add', path, value: { redirectUris: [EVIL_REDIRECT] } }]);
      expect(r.status, path).toBe(400);
      expect(controlError(r), path).toMatchObject({ code: 'BadRequest', message: expect.stringContaining(`path "${path}" names`) });
    }
    // A later operation of the same patch is named by its position.
    const second = await patch(s.port, [
      { op: 'test', path: '/id', value: T },
      { op: 'replace', path: '/constructor/prototype/x', value: 1 },
    ]);
    expect(controlError(second).message).toMatch(/^operation 1: path "\/constructor\/prototype\/x"/);
    // JSON.parse makes `__proto__` an own key; the control API refuses it with its path.
    const nested = await send(s.port, 'PATCH', patchPath, {
      headers: { 'content-type': 'application/json-patch+json' },
      body: `[{"op":"add","path":"/applications/0/x","value":{"__proto__":{"spa":{"redirectUris":["${EVIL_REDIRECT}"]}}}}]`,
    });
    expect(nested.status).toBe(400);
    expect(controlError(nested)).toEqual({
      code: 'BadRequest',
      message: 'The body has a "__proto__" key at /0/value/__proto__: no fixture or control field has that name.',
    });
    const tenant = await send(s.port, 'POST', '/_mock/tenants', {
      headers: { 'content-type': 'application/json' },
      body: `{"__proto__":{"accountEnabled":false},"id":"a1b2c3d4-0000-4000-8000-00000000d002","displayName":"P","verifiedDomains":["p.example.com"]}`,
    });
    expect(tenant.status).toBe(400);
    expect(controlError(tenant).message).toContain('"__proto__" key at /__proto__');
    // Inherited members are not there to replace, remove or test.
    for (const op of ['replace', 'remove', 'test'] as const) {
      const r = await patch(s.port, [{ op, path: '/hasOwnProperty', value: 1 }]);
      expect(controlError(r), op).toEqual({ code: 'BadRequest', message: 'operation 0: nothing at /hasOwnProperty' });
    }
    expect(({} as { spa?: unknown }).spa).toBeUndefined();
    expect(protoKeys()).toEqual(keysAtStart);
  });

  it('leaves Object.prototype alone when attacked in-process (inject) too', async () => {
    for (const path of ['/__proto__/spa', '/constructor/prototype/spa', '/users/0/__proto__/spa']) {
      const r = await s.mock.app.inject({
        method: 'PATCH',
        url: patchPath,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify([{ op: 'add', path, value: { redirectUris: [EVIL_REDIRECT] } }]),
      });
      expect(r.statusCode, path).toBe(400);
    }
    expect(({} as { spa?: unknown }).spa).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('spa');
    expect(protoKeys()).toEqual(keysAtStart);
  });
});

describe('the patcher on its own', () => {
  it('walks own properties and RFC 6901 array indexes only', () => {
    const doc = { list: [{ a: 1 }], o: {} as Record<string, unknown> };
    expect(() => applyPatch(doc, [{ op: 'replace', path: '/o/toString', value: 1 }])).toThrow(PatchError);
    expect(() => applyPatch(doc, [{ op: 'add', path: '/list//a', value: 2 }])).toThrow('no index  in /list//a');
    expect(() => applyPatch(doc, [{ op: 'add', path: '/list/01/a', value: 2 }])).toThrow('no index 01');
    expect(() => applyPatch(doc, [{ op: 'add', path: '/list/length/x', value: 2 }])).toThrow('no index length');
    expect(applyPatch(doc, [{ op: 'add', path: '/o/toString', value: 'own' }]).o).toEqual({ toString: 'own' });
    expect(applyPatch(doc, [{ op: 'add', path: '/list/0/b', value: 2 }]).list).toEqual([{ a: 1, b: 2 }]);
    expect(protoKeys()).toEqual(keysAtStart);
  });
});

describe('fixture files', () => {
  it('a __proto__ key in a JSON or YAML fixture is a fixture error naming its path, and no prototype changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mock-entra-proto-'));
    try {
      const jsonFile = join(dir, 'proto.json');
      await writeFile(
        jsonFile,
        `{"tenants":[{"__proto__":{"accountEnabled":false},"id":"a1b2c3d4-0000-4000-8000-00000000d003","displayName":"P","verifiedDomains":["p.example.com"]}]}`,
      );
      const yamlFile = join(dir, 'proto.yaml');
      await writeFile(
        yamlFile,
        'tenants:\n  - id: a1b2c3d4-0000-4000-8000-00000000d004\n    displayName: P\n    verifiedDomains: [q.example.com]\n    applications:\n      - __proto__: { spa: { redirectUris: ["https://evil.example/steal"] } }\n',
      );
      for (const file of [jsonFile, yamlFile]) {
        const error = await loadFixtures([file]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, file).toBeInstanceOf(FixtureError);
        expect((error as FixtureError).issues.map((i) => `${i.path}: ${i.message}`).join('\n'), file).toContain('__proto__');
      }
      expect(({} as { accountEnabled?: unknown; spa?: unknown }).accountEnabled).toBeUndefined();
      expect(({} as { spa?: unknown }).spa).toBeUndefined();
      expect(protoKeys()).toEqual(keysAtStart);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
