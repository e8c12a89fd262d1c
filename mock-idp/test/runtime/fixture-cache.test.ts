import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { loadFixturesCached } from '../../src/runtime/fixture-cache.js';
import { DEFAULT_FIXTURE_PATH } from '../../src/directory/default-fixture.js';
import { loadFixtures } from '../../src/directory/load-fixture.js';
import { FixtureError } from '../../src/directory/fixture-issues.js';
import { createContext } from '../../src/server.js';

let dir: string;
let fixture: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fixture-cache-'));
  fixture = join(dir, 'tenant.yaml');
  await writeFile(fixture, await readFile(DEFAULT_FIXTURE_PATH));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const state = () => join(dir, 'state');
const cached = (files = [fixture]) => {
  const load = vi.fn(() => loadFixtures(files));
  return { load, result: () => loadFixturesCached(files, state(), load) };
};
const settle = () => new Promise((r) => setTimeout(r, 100)); // the cache is written after answering

describe('fixture cache (state dir)', () => {
  it('reads and validates a fixture once; a later start gets the same document without reading it', async () => {
    const first = cached();
    const doc = await first.result();
    expect(first.load).toHaveBeenCalledTimes(1);
    await settle();
    const second = cached();
    expect(await second.result()).toEqual(doc);
    expect(second.load).not.toHaveBeenCalled();
  });

  it('reads again when the file changes', async () => {
    await cached().result();
    await settle();
    await writeFile(fixture, (await readFile(fixture, 'utf8')).replace('displayName: Contoso', 'displayName: Contoso Two'));
    const again = cached();
    const doc = await again.result();
    expect(again.load).toHaveBeenCalledTimes(1);
    expect(doc.tenants[0]!.displayName).toBe('Contoso Two');
  });

  it('never caches an invalid fixture: every start reports its errors', async () => {
    await writeFile(fixture, 'tenants:\n  - id: not-a-guid\n');
    for (let i = 0; i < 2; i++) {
      await expect(cached().result()).rejects.toBeInstanceOf(FixtureError);
      await settle();
    }
    expect(await readdir(state()).catch(() => [])).not.toContain('fixture-cache');
  });

  it('does not cache fixtures that extend or generate (they depend on other files)', async () => {
    await writeFile(
      fixture,
      `tenants:\n  - extends: contoso\n    id: 2f1c9a6e-5b4d-4c3a-9e8f-7a6b5c4d3e2f\n    displayName: Acme\n    verifiedDomains: [acme.onmicrosoft.com]\n`,
    );
    for (let i = 0; i < 2; i++) {
      const c = cached();
      await c.result();
      expect(c.load).toHaveBeenCalledTimes(1);
      await settle();
    }
  });

  it('falls back to reading the files when the cache is corrupt', async () => {
    await cached().result();
    await settle();
    const cacheDir = join(state(), 'fixture-cache');
    for (const f of await readdir(cacheDir)) await writeFile(join(cacheDir, f), '{"format":');
    const c = cached();
    expect((await c.result()).tenants).toHaveLength(1);
    expect(c.load).toHaveBeenCalledTimes(1);
  });

  it('serves the same tenants through createContext, cached or not', async () => {
    const a = await createContext({ fixtures: [fixture], stateDir: state() });
    await settle();
    const b = await createContext({ fixtures: [fixture], stateDir: state() });
    expect(b.tenants.all().map((t) => t.currentFixture())).toEqual(a.tenants.all().map((t) => t.currentFixture()));
    a.store.close();
    b.store.close();
  });
});
