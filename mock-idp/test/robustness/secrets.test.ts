import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it, expect, vi, beforeEach } from 'vitest';
import type { Application } from '../../src/directory/model.js';

/**
 * Client secrets are compared in constant time (issue 5): the presented secret is hashed, and
 * its digest is compared with every credential's digest by crypto.timingSafeEqual — never with
 * `===`, never stopping at the first match, so neither the secret's length nor how much of it is
 * right, nor which credential matched, changes the work done. Timing itself is too noisy to test
 * on a shared CI machine; what is tested is that the work is the same: every check makes the same
 * timingSafeEqual calls on 32-byte digests, whatever was sent.
 */
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof crypto>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const { authenticateConfidentialClient } = await import('../../src/protocol/client-auth.js');
const spy = vi.mocked(crypto.timingSafeEqual);

const app = {
  appId: '11111111-2222-4333-8444-555555555555',
  displayName: 'Two secrets',
  passwordCredentials: [
    { keyId: 'a0000000-0000-4000-8000-000000000001', secretText: 'first~Secret-Value-0000000000000000000001', endDateTime: '2099-01-01T00:00:00Z' },
    { keyId: 'a0000000-0000-4000-8000-000000000002', secretText: 'second~Secret-Value-000000000000000000002', endDateTime: '2099-01-01T00:00:00Z' },
  ],
} as unknown as Application;

function attempt(secret: string): { code: string; calls: Array<[number, number]> } {
  spy.mockClear();
  let code = 'ok';
  try {
    authenticateConfidentialClient(app, { secret }, { now: Date.now(), audiences: [] });
  } catch (e) {
    code = String((e as { code?: number }).code);
  }
  return { code, calls: spy.mock.calls.map(([a, b]) => [(a as Buffer).length, (b as Buffer).length]) };
}

describe('client secrets are compared in constant time', () => {
  beforeEach(() => {
    spy.mockClear();
  });

  it('makes the same comparisons, over 32-byte digests, for right, wrong, short, long, almost-right secrets', () => {
    const s = app.passwordCredentials![0]!.secretText;
    const tries = {
      first: s,
      second: app.passwordCredentials![1]!.secretText,
      wrongFirstChar: `X${s.slice(1)}`,
      wrongLastChar: `${s.slice(0, -1)}X`,
      prefix: s.slice(0, 10),
      empty: '',
      long: s.repeat(200),
      unicode: '🙂'.repeat(40),
    };
    const results = Object.fromEntries(Object.entries(tries).map(([k, v]) => [k, attempt(v)]));
    for (const [name, r] of Object.entries(results)) {
      expect(r.calls, name).toEqual([
        [32, 32],
        [32, 32],
      ]);
    }
    expect(results.first!.code).toBe('ok');
    expect(results.second!.code).toBe('ok');
    for (const k of ['wrongFirstChar', 'wrongLastChar', 'prefix', 'empty', 'long', 'unicode']) expect(results[k]!.code, k).toBe('7000215');
  });

  it('never compares the presented secret as a string (code inspection of checkSecret)', () => {
    const source = readFileSync(new URL('../../src/protocol/client-auth.ts', import.meta.url), 'utf8');
    const body = /function checkSecret\([^)]*\)[^{]*\{([\s\S]*?)\n\}/.exec(source)?.[1];
    expect(body).toBeDefined();
    const code = body!.replace(/\/\/.*$/gm, '');
    // The presented secret (`secret`) is only ever hashed.
    const uses = [...code.matchAll(/\bsecret\b(?!Text)/g)].map((m) => code.slice(Math.max(0, m.index - 7), m.index + 7));
    expect(uses).toEqual(['sha256(secret)']);
    expect(code).toContain('timingSafeEqual(');
    expect(code).not.toMatch(/\bbreak\b|\breturn\b[^;]*timingSafeEqual/);
  });
});
