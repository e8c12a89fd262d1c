import { optionHint } from '../../config/options.js';
import type { MockContext } from '../../context.js';
import { FixtureError } from '../../directory/fixture-issues.js';
import type { FixtureDocument, TenantFixture } from '../../directory/model.js';
import { ControlError, jsonBody } from './control-reply.js';

/**
 * A tenant sent to the test-control API (`POST /_mock/tenants`, `PUT` and `PATCH …/fixture`):
 * resolved (`extends: contoso`, `generate`) and validated, or refused with a {@link ControlError}
 * that names every issue.
 */

/** A tenant fixture, or a fixture document with exactly one tenant. */
export async function tenantFromBody(ctx: MockContext, body: unknown): Promise<TenantFixture> {
  const json = jsonBody(body);
  if (json === undefined) throw new ControlError(400, 'BadRequest', 'The body must be JSON: a tenant fixture, or a fixture document with one tenant.');
  // `null`, a number, a string: not a document; the validator says what a tenant must be.
  const maybeDoc = (typeof json === 'object' && json !== null ? json : {}) as Partial<FixtureDocument>;
  if (Array.isArray(maybeDoc.tenants)) {
    if (maybeDoc.tenants.length !== 1) throw new ControlError(400, 'BadRequest', 'A fixture document sent here must hold exactly one tenant.');
    return validTenant(ctx, maybeDoc.tenants[0]);
  }
  return validTenant(ctx, json);
}

/**
 * The tenant resolved and validated. `extends` may not name a file here: the control API creates
 * tenants for tests and does not read the mock's disk.
 */
export async function validTenant(ctx: MockContext, t: unknown): Promise<TenantFixture> {
  const tooMany = generateOverLimit(ctx, t);
  if (tooMany) throw new ControlError(400, 'LimitExceeded', tooMany);
  // Loaded on first use: the fixture reader (YAML, ajv) is not needed to start serving.
  const { resolveFixture } = await import('../../directory/load-fixture.js');
  try {
    const [tenant] = (await resolveFixture({ tenants: [t] }, '(request body)', { files: false })).tenants;
    if (tenant === undefined) throw new Error('the fixture reader resolved one tenant into none');
    return tenant;
  } catch (e) {
    if (e instanceof FixtureError) throw new ControlError(400, 'InvalidFixture', e.message, e.issues);
    throw e;
  }
}

/**
 * Generation asked of the control API beyond its limits (config/options.ts): refused before
 * anything is generated, as the event loop would be held while it runs. The spec's shape is the
 * validator's to judge; only counts above the limits are refused here.
 */
function generateOverLimit(ctx: MockContext, t: unknown): string | undefined {
  const generate = typeof t === 'object' && t !== null && Object.hasOwn(t, 'generate') ? (t as { generate: unknown }).generate : undefined;
  if (typeof generate !== 'object' || generate === null) return undefined;
  const { users, groups } = generate as { users?: unknown; groups?: unknown };
  const limits = [
    { what: 'users', asked: users, max: ctx.options.maxGeneratedUsers, flag: optionHint('maxGeneratedUsers') },
    { what: 'groups', asked: groups, max: ctx.options.maxGeneratedGroups, flag: optionHint('maxGeneratedGroups') },
  ];
  for (const { what, asked, max, flag } of limits) {
    if (typeof asked === 'number' && asked > max) {
      return `generate.${what} is ${asked}: the test-control API generates at most ${max} ${what} per request. Start the mock with ${flag} to allow more, or load the tenant from a fixture file when the mock starts (those are not bound by this limit).`;
    }
  }
  return undefined;
}
