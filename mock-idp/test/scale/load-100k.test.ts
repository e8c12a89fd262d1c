import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { fixtureToJson } from '../../src/directory/fixture-json.js';
import { resolveFixture } from '../../src/directory/load-fixture.js';
import type { FixtureSource } from '../../src/directory/model.js';
import { SCALE_EXAMPLE_TENANT, scaleExampleSource } from '../../src/directory/generate-spec.js';
import { createContext } from '../../src/server.js';
import { CONTOSO } from '../support/mock-app.js';

/**
 * The scale target: 100,000 users, 20,000 groups, ~10 memberships per user. These tests
 * say it loads, validates and is indexed — how fast is bench/graph-scale.ts's business (no
 * timing assertions here: CI machines vary).
 */
const SCALE_ID = SCALE_EXAMPLE_TENANT.id;
const TIMEOUT = 240_000;
const dir = mkdtempSync(join(tmpdir(), 'mock-entra-100k-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectLoaded(fixtures: Array<string | FixtureSource>): Promise<void> {
  const ctx = await createContext({ fixtures, stateDir: join(dir, 'state') });
  try {
    const directory = ctx.tenants.get(SCALE_ID)!.directory;
    expect(directory.users.size).toBe(100_003);
    expect(directory.groups.size).toBe(20_003);
    expect(directory.apps.has(CONTOSO.bridge.appId)).toBe(true);
    const memberships = [...directory.memberOf.values()].reduce((sum, groups) => sum + groups.length, 0);
    expect(memberships).toBeGreaterThan(950_000);
    const overage = [...directory.users.keys()].filter((id) => directory.transitiveGroupIds(id).length > 200);
    expect(overage).toHaveLength(3);
  } finally {
    ctx.store.close();
  }
}

describe('a 100,000-user / 20,000-group tenant', () => {
  const source: FixtureSource = {
    tenants: scaleExampleSource().tenants,
  };

  it('loads and validates from a generate spec (extending contoso)', { timeout: TIMEOUT }, async () => {
    await expectLoaded([source]);
  });

  it('loads and validates from the expanded JSON file (as `mock-entra fixtures generate` writes it)', { timeout: TIMEOUT }, async () => {
    const file = join(dir, 'scale.json');
    writeFileSync(file, fixtureToJson(await resolveFixture(source)));
    await expectLoaded([file]);
  });
});
