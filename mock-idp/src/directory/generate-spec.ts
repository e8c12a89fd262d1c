import type { FixtureSource, GenerateSpec } from './model.js';

/**
 * The README's "Tenants at scale" example: 100,000 users, 20,000 groups, ~10 memberships per
 * user, every generator feature on — the tenant issue 5's benchmark measures
 * (bench/graph-scale.ts) and the scale tests load. One definition, so they stay the same tenant
 * (mock-idp/test/docs/readme.test.ts holds the README's YAML to it).
 */
export const SCALE_EXAMPLE_SPEC: GenerateSpec = {
  seed: 42,
  users: 100_000,
  groups: 20_000,
  membershipsPerUser: 10,
  nestedGroups: 0.05,
  usersInManyGroups: { count: 3, groups: 250 },
  usersWithoutMail: 0.1,
  guests: 0.02,
  microsoft365Groups: 0.2,
};
export const SCALE_EXAMPLE_TENANT = { id: '3f0c5a4e-1b2d-4c8e-9f7a-6b5c4d3e2f10', displayName: 'Contoso at scale', verifiedDomains: ['scale.contoso.test'] };

/** The example as a fixture document (Contoso extended with the generated objects), with another spec if given. */
export function scaleExampleSource(spec: GenerateSpec = SCALE_EXAMPLE_SPEC): FixtureSource {
  return { tenants: [{ extends: 'contoso', ...SCALE_EXAMPLE_TENANT, verifiedDomains: [...SCALE_EXAMPLE_TENANT.verifiedDomains], generate: spec }] };
}

/**
 * The numbers behind a `generate:` spec (model.ts GenerateSpec), with its defaults applied and
 * its shares turned into exact counts. Kept apart from generate-tenant.ts so the validator can
 * use it without loading @faker-js/faker, which only a tenant that generates needs.
 */
export interface GenerationPlan {
  seed: number;
  users: number;
  groups: number;
  membershipsPerUser: number;
  guests: number;
  /** Members (not guests) without a mail address. */
  usersWithoutMail: number;
  microsoft365Groups: number;
  securityGroups: number;
  /** Security groups that are members of another security group. */
  nestedGroups: number;
  /** Users in exactly `manyGroups` security groups. */
  usersInManyGroups: number;
  manyGroups: number;
}

/** Default mean of direct memberships per ordinary user (fewer when there are fewer groups). */
export const DEFAULT_MEMBERSHIPS_PER_USER = 10;
/** Upper bound of `membershipsPerUser`: keeps ordinary users under the overage limit (below). */
export const MAX_MEMBERSHIPS_PER_USER = 50;
/** Upper bound of `users` and `groups`: a mock tenant, not a census. */
export const MAX_GENERATED_OBJECTS = 1_000_000;
/**
 * Nesting chains are at most three groups long (a nested group's parent may itself be nested
 * once), and ordinary users have at most 66 direct memberships: 66 × 3 ≤ 200, so only the
 * `usersInManyGroups` users are in more than 200 groups, even counting nested ones — the JWT
 * overage limit (docs/entra-wire.md §9), which tests want to hit on purpose, not by accident.
 */
export const MAX_NESTING_DEPTH = 2;
export const MAX_ORDINARY_DIRECT_MEMBERSHIPS = 66;

/** Spec → counts. Assumes the spec passed the schema (ranges, types); the validator checks the rest. */
export function planGeneration(spec: GenerateSpec): GenerationPlan {
  const microsoft365Groups = Math.round(spec.groups * (spec.microsoft365Groups ?? 0));
  const securityGroups = spec.groups - microsoft365Groups;
  const nested = spec.nestedGroups ?? 0;
  const guests = Math.round(spec.users * (spec.guests ?? 0));
  return {
    seed: spec.seed,
    users: spec.users,
    groups: spec.groups,
    membershipsPerUser: spec.membershipsPerUser ?? Math.min(DEFAULT_MEMBERSHIPS_PER_USER, spec.groups),
    guests,
    usersWithoutMail: Math.round(spec.users * (spec.usersWithoutMail ?? 0)),
    microsoft365Groups,
    securityGroups,
    nestedGroups: nested < 1 ? Math.round(securityGroups * nested) : nested,
    usersInManyGroups: spec.usersInManyGroups?.count ?? 0,
    manyGroups: spec.usersInManyGroups?.groups ?? 0,
  };
}
