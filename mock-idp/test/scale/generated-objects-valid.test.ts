import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, it, expect } from 'vitest';
import { generateDirectory } from '../../src/directory/generate-tenant.js';
import { resolveFixture } from '../../src/directory/load-fixture.js';
import type { GenerateSpec, TenantFixture } from '../../src/directory/model.js';
import { FIXTURE_SCHEMA_PATH, validateFixture } from '../../src/directory/validate-fixture.js';

/**
 * The fixture loader does not run the JSON Schema over generated users and groups (120,000
 * objects in a big tenant: load-fixture.ts, ValidateOptions.generatedFrom) because the generator
 * makes them valid by construction. This is the proof: for specs that use every option, at their
 * edges, the generated objects pass the whole schema as published (uniqueItems and the GUID
 * pattern of member ids included, which the validator checks by hand) and then the validator,
 * schema pass and all.
 */
const fullSchema = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(FIXTURE_SCHEMA_PATH, 'utf8')) as object);

const TENANT = { id: '7d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a', displayName: 'Generated', verifiedDomains: ['gen.example.test'] };

const SPECS: GenerateSpec[] = [
  { seed: 1, users: 500, groups: 60 },
  {
    seed: 2,
    users: 3000,
    groups: 400,
    membershipsPerUser: 10,
    nestedGroups: 0.05,
    usersInManyGroups: { count: 3, groups: 250 },
    usersWithoutMail: 0.1,
    guests: 0.02,
    microsoft365Groups: 0.2,
  },
  { seed: 3, users: 400, groups: 30, guests: 1 },
  { seed: 4, users: 400, groups: 30, usersWithoutMail: 1 },
  { seed: 5, users: 400, groups: 30, guests: 0.5, usersWithoutMail: 0.5, microsoft365Groups: 1 },
  { seed: 6, users: 400, groups: 40, nestedGroups: 39, membershipsPerUser: 0 },
  { seed: 7, users: 300, groups: 8, membershipsPerUser: 8, nestedGroups: 0.9, microsoft365Groups: 0.25 },
  { seed: 8, users: 50, groups: 300, membershipsPerUser: 50, usersInManyGroups: { count: 50, groups: 300 } },
  { seed: 9, users: 0, groups: 20, nestedGroups: 10 },
  { seed: 10, users: 20, groups: 0 },
  { seed: 11, users: 5000, groups: 3, membershipsPerUser: 3 },
  { seed: 4_294_967_295, users: 2000, groups: 200, guests: 0.3, usersWithoutMail: 0.3, microsoft365Groups: 0.5, nestedGroups: 0.3 },
];

function schemaErrors(tenant: object): string[] {
  return fullSchema({ tenants: [tenant] }) ? [] : (fullSchema.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('generated users and groups are valid by construction', () => {
  it.each(SPECS.map((spec) => [JSON.stringify(spec), spec] as const))('alone: %s', (_, spec) => {
    const { users, groups } = generateDirectory(spec, { domain: TENANT.verifiedDomains[0]! });
    const tenant: TenantFixture = { ...TENANT, users, groups };
    expect(schemaErrors(tenant)).toEqual([]);
    expect(validateFixture(structuredClone({ tenants: [tenant] }), 'generated')).toEqual([]);
  });

  it.each(SPECS.map((spec) => [JSON.stringify(spec), spec] as const))('next to contoso’s users and groups, resolved by the loader: %s', async (_, spec) => {
    // The loader skips the schema for the generated part; validating its result from scratch,
    // schema included, finds nothing either.
    const resolved = await resolveFixture({ tenants: [{ extends: 'contoso', ...TENANT, generate: spec }] });
    const tenant = resolved.tenants[0]!;
    expect(tenant.users!.length).toBeGreaterThanOrEqual(spec.users);
    expect(schemaErrors(tenant)).toEqual([]);
    expect(validateFixture(structuredClone(resolved), 'resolved')).toEqual([]);
  });
});
