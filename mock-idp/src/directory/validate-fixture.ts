import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
// The named export: under NodeNext, ajv's default export types as the CommonJS module object,
// which is not constructable. Both resolve to the same class at run time.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FixtureIssue } from './fixture-issues.js';
import type {
  Application,
  AppRole,
  AppRoleAssignment,
  FixtureSource,
  GenerateSpec,
  User,
  Group,
  KeyCredential,
  OAuth2PermissionGrant,
  PasswordCredential,
  PermissionScope,
  TenantFixture,
  TenantSource,
  UserPhoto,
} from './model.js';
import { planGeneration } from './generate-spec.js';
import { freezeDirectoryObjects, memberHintsOf, recordResolvedMembers, UNRESOLVED } from './resolved-members.js';
import { GuidTable } from './guid-table.js';
import { GRAPH_APP_ID, microsoftGraphApplication } from './microsoft-graph.js';
import { checkManagedIdentity, isManagedIdentity } from './managed-identity.js';
import { stableUuid } from '../support/ids.js';
import { pruneToShape, type PrunedTenant } from './shape-pruned-tenant.js';
import { packagePath } from '../support/package-root.js';

/** The fixture JSON Schema, next to the fixtures it describes (editors use it too). */
export const FIXTURE_SCHEMA_PATH = packagePath('fixtures', 'schema.json');

/** Entra's "default access" app role: assigning it gives a user access without a role value. */
const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Checks a parsed fixture and returns every problem, each named by file and JSON path
 * (`tenants[0].applications[1].web.redirectUris[0]`). Two passes: the JSON Schema (shape, types,
 * enums, GUIDs), then — for each tenant whose shape is right — the rules Entra itself enforces
 * and the cross-references between objects. An empty array means the document is a valid
 * {@link FixtureDocument} — or, when tenants still `extend` a base or `generate` objects, a
 * valid {@link FixtureSource} whose generate specs add up: those tenants get the second pass
 * after loading resolved them (load-fixture.ts).
 *
 * @example
 * const issues = validateFixture(parseYaml(text), 'fixtures/contoso.yaml');
 * if (issues.length > 0) throw new FixtureError(issues);
 */
export function validateFixture(doc: unknown, file: string, options: ValidateOptions = {}): FixtureIssue[] {
  const validate = schemaValidator();
  const issues: FixtureIssue[] = [];
  const report: Report = (path, message) => issues.push({ file, path, message });

  const brokenTenants = new Set<number>();
  let brokenRoot = false;
  if (!validate(options.generatedFrom ? withoutGenerated(doc, options.generatedFrom) : doc)) {
    const reported = new Set<string>();
    for (const error of validate.errors ?? []) {
      // `if`/`else` (id, displayName, verifiedDomains required unless the tenant extends a base):
      // the failed `required` inside says it better.
      if (error.keyword === 'if') continue;
      const { path, message } = describeSchemaError(error);
      // A member id that is not a string fails `type` twice (guidList items.type and guid's).
      const key = `${path}\0${message}`;
      if (reported.has(key)) continue;
      reported.add(key);
      report(path, message);
      const tenant = tenantIndexOf(error.instancePath);
      if (tenant === undefined) brokenRoot = true;
      else brokenTenants.add(tenant);
    }
  }
  // Outside any tenant (a missing `tenants`, a stray root key): nothing below can be trusted.
  if (brokenRoot) return issues;
  for (const index of brokenTenants) checkMemberIds((doc as { tenants: unknown[] }).tenants[index], `tenants[${index}]`, report);

  // The schema passed for these tenants, so they have the shape model.ts describes; the others
  // are checked too, cut down to what has that shape (shape-pruned-tenant.ts), so that every
  // error shows in one run — their issues with the original's positions, echoes of the schema's dropped.
  const reportedPaths = new Set(issues.map((i) => i.path));
  const pruned = new Map<number, PrunedTenant>();
  for (const index of brokenTenants) {
    const tenant = (doc as { tenants: unknown[] }).tenants[index];
    // Not an object at all (`null` included): the schema's "must be an object" says everything.
    // A tenant that extends or generates is pruned too: its generate spec is checked below (the
    // rest of it once loading resolved it: load-fixture.ts).
    if (typeof tenant !== 'object' || tenant === null) continue;
    const shape = pruneToShape(tenant, `tenants[${index}]`, schemaErrorsOfTenant, reportedPaths);
    if (shape) pruned.set(index, shape);
  }
  const shaped = (doc as FixtureSource).tenants
    .map((tenant, index) => ({
      tenant: (pruned.get(index)?.tenant as TenantSource | undefined) ?? tenant,
      path: `tenants[${index}]`,
      seal: options.seal === true && !pruned.has(index),
    }))
    .filter((_, index) => !brokenTenants.has(index) || pruned.has(index));
  const seen = new Set(issues.map((i) => `${i.path}\0${i.message}`));
  const second: Report =
    pruned.size === 0
      ? report
      : (path, message) => {
          const shape = pruned.get(Number(/^tenants\[(\d+)\]/.exec(path)?.[1] ?? -1));
          const [original, text] = [...pruned.values()].reduce(([p, m], s) => [s.originalPaths(p), s.originalPaths(m)], [path, message]);
          if (shape?.isEcho(original)) return;
          const key = `${original}\0${text}`;
          if (seen.has(key)) return; // checkMemberIds said it already
          seen.add(key);
          report(original, text);
        };
  // A tenant that extends a base or generates objects is whole only once loading resolved it
  // (load-fixture.ts), and is then validated again: here only its generate spec is checked.
  for (const { tenant, path } of shaped) if (tenant.generate) checkGenerateSpec(tenant.generate, `${path}.generate`, second);
  const tenants = shaped.filter((t): t is { tenant: TenantFixture; path: string; seal: boolean } => !isUnresolved(t.tenant));
  checkAcrossTenants(tenants, second);
  // A pruned copy is never sealed: it is not what the caller gets (and the load fails anyway).
  for (const { tenant, path, seal } of tenants) checkTenant(tenant, path, second, seal);
  return issues;
}

/** The schema's errors for one tenant on its own, their paths relative to it (for pruneToShape). */
export function schemaErrorsOfTenant(tenant: unknown): ErrorObject[] {
  const validate = schemaValidator();
  return validate({ tenants: [tenant] }) ? [] : (validate.errors ?? []).filter((e) => e.instancePath.startsWith('/tenants/0'));
}

/** For the fixture loader (load-fixture.ts), which owns the documents it validates. */
export interface ValidateOptions {
  /**
   * Freeze each checked tenant's users and groups (objects, their arrays, the lists) once their
   * members are resolved, as TenantRuntime does with every tenant it is given. TenantDirectory
   * then uses the resolved members as they are, without comparing a million member ids again:
   * frozen, nothing can have changed since (resolved-members.ts).
   */
  seal?: boolean;
  /**
   * Per tenant (by position), where its generated users and groups start (generate-tenant.ts):
   * the schema pass skips those — 120,000 objects in a big tenant, valid by construction, which
   * mock-idp/test/scale/generated-objects-valid.test.ts proves for every option of a spec; the
   * second pass (ids, UPNs, members) checks them like any other. A generated object is always
   * after the listed ones, so what the schema says about those keeps its path.
   */
  generatedFrom?: ReadonlyArray<{ users: number; groups: number } | undefined>;
}

/** The document without its tenants' generated users and groups (shallow copies; `doc` is unchanged). */
function withoutGenerated(doc: unknown, generatedFrom: NonNullable<ValidateOptions['generatedFrom']>): unknown {
  const tenants = (doc as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(tenants)) return doc;
  return {
    ...(doc as object),
    tenants: tenants.map((tenant: unknown, i) => {
      const from = generatedFrom[i];
      if (!from || typeof tenant !== 'object' || tenant === null) return tenant;
      const { users, groups } = tenant as { users?: unknown; groups?: unknown };
      const copy: Record<string, unknown> = { ...tenant };
      if (Array.isArray(users)) copy.users = users.slice(0, from.users);
      if (Array.isArray(groups)) copy.groups = groups.slice(0, from.groups);
      return copy;
    }),
  };
}

type Report = (path: string, message: string) => void;

/** Whether a tenant still has `extends` or `generate` (loading resolves both). */
export function isUnresolved(tenant: TenantSource): boolean {
  return tenant.extends !== undefined || tenant.generate !== undefined;
}

/**
 * What the schema cannot say about a generate spec: how its numbers fit together. The numbers
 * come from planGeneration, so the checks and the generator agree on rounding and defaults.
 */
function checkGenerateSpec(spec: GenerateSpec, path: string, report: Report): void {
  const plan = planGeneration(spec);
  if (spec.nestedGroups !== undefined && spec.nestedGroups >= 1 && !Number.isInteger(spec.nestedGroups)) {
    report(`${path}.nestedGroups`, 'must be a share (0 ≤ x < 1) or a whole number of groups');
  } else if (plan.nestedGroups > 0 && plan.nestedGroups > plan.securityGroups - 1) {
    report(
      `${path}.nestedGroups`,
      `must be at most ${Math.max(0, plan.securityGroups - 1)}: one of the ${plan.securityGroups} security groups stays at the top`,
    );
  }
  if (spec.membershipsPerUser !== undefined && spec.membershipsPerUser > spec.groups) {
    report(`${path}.membershipsPerUser`, `must be at most groups (${spec.groups})`);
  }
  if ((spec.guests ?? 0) + (spec.usersWithoutMail ?? 0) > 1) {
    report(`${path}.usersWithoutMail`, 'must be at most 1 − guests: guests always have a mail address');
  }
  if (spec.usersInManyGroups) {
    if (spec.usersInManyGroups.count > spec.users) report(`${path}.usersInManyGroups.count`, `must be at most users (${spec.users})`);
    if (spec.usersInManyGroups.count > 0 && spec.usersInManyGroups.groups > plan.securityGroups) {
      report(`${path}.usersInManyGroups.groups`, `must be at most the number of security groups (${plan.securityGroups}: groups − microsoft365Groups)`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 1: the JSON Schema, with ajv's messages rewritten for people.

let compiledSchema: ValidateFunction | undefined;

/** Compiled once, on first use: compiling costs ~50 ms, validating a document far less. */
function schemaValidator(): ValidateFunction {
  if (!compiledSchema) {
    const schema = JSON.parse(readFileSync(FIXTURE_SCHEMA_PATH, 'utf8')) as { definitions: { guidList: { uniqueItems?: boolean; items: object } } };
    // Group members (guidList: a million ids in a 100,000-user tenant) are checked by hand,
    // with the same messages (checkGroupMembers, checkMemberIds): ajv's uniqueItems keys a
    // plain object by every id, which interns each string — seconds — and the second pass
    // resolves every member anyway, so their format only needs checking when one does not
    // resolve. Editors still see the whole rule in the schema.
    delete schema.definitions.guidList.uniqueItems;
    schema.definitions.guidList.items = { type: 'string' };
    // verbose: errors carry the failing value and the schema around it (allowed property names).
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true, code: { regExp: fastGuidRegExp } });
    compiledSchema = ajv.compile(schema);
  }
  return compiledSchema;
}

const GUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const HEX = new Uint8Array(128).map((_, c) => (/[0-9a-fA-F]/.test(String.fromCharCode(c)) ? 1 : 0));

/** The schema's GUID pattern as a character loop: twice as fast as the RegExp on 400,000 ids. */
function isGuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (c > 127 || HEX[c] === 0) return false;
  }
  return true;
}

/** ajv's RegExp engine, with the GUID pattern (most of a big tenant's strings) swapped for {@link isGuid}. */
const fastGuidRegExp = Object.assign((pattern: string, flags: string) => (pattern === GUID_PATTERN ? { test: isGuid } : new RegExp(pattern, flags)), {
  code: 'new RegExp',
});

/** `/tenants/2/users/0` → 2; undefined when the error is not inside one tenant. */
function tenantIndexOf(instancePath: string): number | undefined {
  const match = /^\/tenants\/(\d+)(?:\/|$)/.exec(instancePath);
  return match ? Number(match[1]) : undefined;
}

/** JSON pointer `/tenants/0/applications/1/web` → `tenants[0].applications[1].web`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => appendKey(path, segment), '');
}

function appendKey(path: string, key: string): string {
  if (/^\d+$/.test(key)) return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** What a failed `pattern` means, by the schema node that declares it. */
const PATTERN_MESSAGES: Record<string, string> = {
  guid: 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
  principalId: 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
  domain: 'must be a domain name, e.g. contoso.onmicrosoft.com',
  dateTime: "must be an ISO 8601 date-time with a time zone, e.g. '2099-12-31T23:59:59Z'",
  permissionValue: 'must not contain spaces',
  groupMembershipClaims: 'must be None, SecurityGroup, DirectoryRole, ApplicationGroup or All (comma-separated), or null',
  userPrincipalName: 'must look like name@domain',
  base64: 'must be base64 (A–Z, a–z, 0–9, + and /, padded with = to a multiple of 4 characters)',
};

/**
 * Legacy (Azure AD Graph) manifest keys people paste into fixtures, and where they live now.
 * https://learn.microsoft.com/entra/identity-platform/reference-microsoft-graph-app-manifest
 */
const LEGACY_KEY_HINTS: Record<string, string> = {
  replyUrlsWithType: 'web/spa/publicClient.redirectUris',
  replyUrls: 'web.redirectUris',
  oauth2Permissions: 'api.oauth2PermissionScopes',
  accessTokenAcceptedVersion: 'api.requestedAccessTokenVersion',
  allowPublicClient: 'isFallbackPublicClient',
  oauth2AllowIdTokenImplicitFlow: 'web.implicitGrantSettings.enableIdTokenIssuance',
  oauth2AllowImplicitFlow: 'web.implicitGrantSettings.enableAccessTokenIssuance',
  name: 'displayName',
  logoutUrl: 'web.logoutUrl',
};

function describeSchemaError(error: ErrorObject): { path: string; message: string } {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: appendKey(path, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path, message: unknownPropertyMessage(String(params.additionalProperty), allowedProperties(error)) };
    case 'type':
      return { path, message: `must be ${describeTypes(params.type)}` };
    case 'enum':
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).map(render).join(', ')} (got ${render(error.data)})` };
    case 'const':
      return { path, message: `must be ${render(params.allowedValue)}` };
    case 'pattern':
      return { path, message: PATTERN_MESSAGES[schemaNodeName(error.schemaPath)] ?? `must match ${String(params.pattern)}` };
    case 'minLength':
      return { path, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters` };
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters` };
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}` };
    case 'maximum':
      return { path, message: `must be at most ${String(params.limit)}` };
    case 'minItems':
      return { path, message: params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} items` };
    case 'uniqueItems': {
      // ajv's pairwise loop names the later duplicate `i`, its hash loop (items of a known
      // scalar type) the earlier one: report the later one as the duplicate either way.
      const name = /[^.[\]]*$/.exec(path)?.[0] ?? '';
      const [earlier, later] = [Number(params.i), Number(params.j)].sort((a, b) => a - b);
      return { path: `${path}[${String(later)}]`, message: `is the same as ${name}[${String(earlier)}]` };
    }
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** `#/definitions/guid/pattern` → `guid`; `#/definitions/user/properties/userPrincipalName/pattern` → `userPrincipalName`. */
function schemaNodeName(schemaPath: string): string {
  const parts = schemaPath.split('/');
  return parts[parts.length - 2] ?? '';
}

function allowedProperties(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

function unknownPropertyMessage(property: string, allowed: string[]): string {
  const legacy = LEGACY_KEY_HINTS[property];
  if (legacy && !allowed.includes(property) && allowed.includes('signInAudience')) {
    return `unknown property '${property}' (a legacy manifest key: use ${legacy}, or convert the manifest with \`mock-entra fixtures import\`)`;
  }
  const suggestion = closestName(property, allowed);
  if (suggestion) return `unknown property '${property}' (did you mean '${suggestion}'?)`;
  return `unknown property '${property}' (allowed: ${allowed.join(', ')})`;
}

/** A likely intended name: same letters in another case, or at most two edits away. */
function closestName(name: string, candidates: string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function describeTypes(type: unknown): string {
  const names = Array.isArray(type) ? type.map(String) : String(type).split(',');
  const withArticle = names.map((t) => (t === 'null' ? 'null' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`));
  return withArticle.join(' or ');
}

function render(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

// ---------------------------------------------------------------------------------------------
// Pass 2: Entra's rules and cross-references, per tenant, with maps so 100k users stay cheap.

interface IndexedApp {
  app: Application;
  label: string;
  /** Lazily built lookups: scopes by value and id, roles by id. */
  scopesByValue?: Map<string, PermissionScope>;
  scopesById?: Map<string, PermissionScope>;
  rolesById?: Map<string, AppRole>;
}

interface TenantIndex {
  path: string;
  /** Lowercased appId → application; Microsoft Graph included, as in every Entra tenant. */
  apps: Map<string, IndexedApp>;
  /** Lowercased service-principal object id → lowercased appId. */
  servicePrincipalIds: Map<string, string>;
  /**
   * Object id, in any case → position in `users` (numbers, not paths: paths are built only to
   * report). A GUID table, not a string map: a million member ids are looked up in it.
   */
  users: GuidTable;
  /** Per position in `users`: 1 when the user's id is written in lower case. */
  lowercaseUserIds: Uint8Array;
  /** Lowercased object id → position in `groups`. */
  groups: Map<string, number>;
  /** Whether two users share an id (case-insensitively): then a member's position is the map's to say. */
  duplicateUserIds: boolean;
  /** Per position in `users`: the lowercased id and UPN (the map keys), and the UPN map when no two users share one. */
  userKeys: string[];
  upnKeys: string[];
  usersByUpn: Map<string, User> | undefined;
}

function checkAcrossTenants(tenants: Array<{ tenant: TenantFixture; path: string }>, report: Report): void {
  const tenantIds = new Map<string, string>();
  const domains = new Map<string, string>();
  for (const { tenant, path } of tenants) {
    claimUnique(tenantIds, tenant.id.toLowerCase(), `${path}.id`, report, (other) => `tenant ${tenant.id} is already defined by ${owner(other)}`);
    tenant.verifiedDomains.forEach((domain, i) =>
      claimUnique(domains, domain.toLowerCase(), `${path}.verifiedDomains[${i}]`, report, (other) => `domain ${domain} is already verified by ${owner(other)}`),
    );
  }
}

/** `tenants[0].users[3].id` → `tenants[0].users[3]`: name the object, not its field. */
function owner(path: string): string {
  return path.replace(/\.[A-Za-z]+(?:\[\d+\])?$/, '');
}

/** Records `key` at `path`; reports when another path already holds it. */
function claimUnique(seen: Map<string, string>, key: string, path: string, report: Report, message: (other: string) => string): void {
  const other = seen.get(key);
  if (other === undefined) seen.set(key, path);
  else report(path, message(other));
}

function checkTenant(tenant: TenantFixture, path: string, report: Report, seal: boolean): void {
  const index = indexTenant(tenant, path, report);
  const keyIds = new Map<string, string>();
  const identifierUris = new Map<string, string>();
  (tenant.applications ?? []).forEach((app, i) => {
    const appPath = `${path}.applications[${i}]`;
    checkApplication(app, appPath, report);
    checkCredentials(app, appPath, keyIds, report);
    (app.identifierUris ?? []).forEach((uri, k) =>
      claimUnique(
        identifierUris,
        uri.toLowerCase(),
        `${appPath}.identifierUris[${k}]`,
        report,
        (other) => `${uri} is already the identifier URI of ${owner(other)}`,
      ),
    );
    checkRequiredResourceAccess(app, appPath, index, report);
  });
  checkServicePrincipals(tenant, index, report);
  (tenant.servicePrincipals ?? []).forEach((sp, i) => {
    if (isManagedIdentity(sp)) checkManagedIdentity(sp, `${path}.servicePrincipals[${i}]`, report);
  });
  (tenant.oauth2PermissionGrants ?? []).forEach((grant, i) => checkGrant(grant, `${path}.oauth2PermissionGrants[${i}]`, index, report));
  checkGrantDuplicates(tenant, index, report);
  checkAssignments(tenant, index, report);
  checkGroupMembers(tenant, index, report, seal);
  checkUserPhotos(tenant, path, report);
}

/** The first bytes of each image type a user photo may have (the file signatures of JPEG and PNG). */
const IMAGE_SIGNATURES: Record<UserPhoto['contentType'], { bytes: Buffer; name: string }> = {
  'image/jpeg': { bytes: Buffer.from([0xff, 0xd8, 0xff]), name: 'a JPEG image (FF D8 FF…)' },
  'image/png': { bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), name: 'a PNG image (89 50 4E 47 0D 0A 1A 0A…)' },
};

/**
 * A photo's bytes must be the image its contentType says (the schema has checked the base64 and
 * its size): Graph serves them with that Content-Type, and a browser shows nothing for a lie.
 * Only the first 12 characters are decoded: 100,000 users cost nothing here.
 */
function checkUserPhotos(tenant: TenantFixture, path: string, report: Report): void {
  const users = tenant.users ?? [];
  for (let i = 0; i < users.length; i++) {
    const photo = users[i]!.photo;
    if (!photo) continue;
    const signature = IMAGE_SIGNATURES[photo.contentType];
    const head = Buffer.from(photo.base64.slice(0, 12), 'base64');
    if (!head.subarray(0, signature.bytes.length).equals(signature.bytes)) {
      report(`${path}.users[${i}].photo.base64`, `must be ${signature.name}, as contentType ${photo.contentType} says`);
    }
  }
}

/**
 * Builds the lookups, reporting duplicate ids, appIds and UPNs on the way. Directory object ids
 * are unique across object types (a member or principal id must name one thing), so users,
 * groups, application objects and service principals share one id space.
 */
function indexTenant(tenant: TenantFixture, path: string, report: Report): TenantIndex {
  const users = tenant.users ?? [];
  const index: TenantIndex = {
    path,
    apps: new Map(),
    servicePrincipalIds: new Map(),
    users: new GuidTable(users.length),
    lowercaseUserIds: new Uint8Array(users.length),
    groups: new Map(),
    duplicateUserIds: false,
    userKeys: new Array<string>(users.length),
    upnKeys: new Array<string>(users.length),
    usersByUpn: undefined,
  };
  const groups = tenant.groups ?? [];

  // Users and groups can number in the hundred thousands: plain loops, positions in the maps.
  // UPN → user, the very map TenantDirectory needs (resolved-members.ts hands it over); the
  // position of an earlier user with the same UPN is only needed to report it.
  const upns = new Map<string, User>();
  let positions: Map<User, number> | undefined;
  const positionOf = (user: User): number => {
    if (!positions) {
      positions = new Map();
      for (let p = users.length - 1; p >= 0; p--) positions.set(users[p]!, p);
    }
    return positions.get(user)!;
  };
  let duplicateUpns = false;
  for (let i = 0; i < users.length; i++) {
    const user = users[i]!;
    const id = user.id.toLowerCase();
    index.userKeys[i] = id;
    const other = index.users.add(user.id, i);
    if (index.users.lastWasLowercase()) index.lowercaseUserIds[i] = 1;
    if (other >= 0) {
      index.duplicateUserIds = true;
      report(`${path}.users[${i}].id`, `id ${user.id} is already used by ${path}.users[${other}]`);
    }
    const upn = user.userPrincipalName.toLowerCase();
    index.upnKeys[i] = upn;
    const sameUpn = upns.get(upn);
    if (sameUpn === undefined) upns.set(upn, user);
    else {
      duplicateUpns = true;
      report(`${path}.users[${i}].userPrincipalName`, `${user.userPrincipalName} is already the userPrincipalName of ${path}.users[${positionOf(sameUpn)}]`);
    }
  }
  if (!duplicateUpns) index.usersByUpn = upns;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    const id = group.id.toLowerCase();
    const other = objectPath(index, id);
    if (other === undefined) index.groups.set(id, i);
    else report(`${path}.groups[${i}].id`, `id ${group.id} is already used by ${other}`);
  }

  // Application objects and service principals are few; their ids join the same id space.
  const otherObjectIds = new Map<string, string>();
  const claimObjectId = (id: string, idPath: string): void => {
    const key = id.toLowerCase();
    const other = objectPath(index, key) ?? otherObjectIds.get(key);
    if (other === undefined) otherObjectIds.set(key, owner(idPath));
    else report(idPath, `id ${id} is already used by ${other}`);
  };

  index.apps.set(GRAPH_APP_ID, { app: microsoftGraphApplication(), label: 'Microsoft Graph' });
  const appPaths = new Map<string, string>();
  (tenant.applications ?? []).forEach((app, i) => {
    const appPath = `${path}.applications[${i}]`;
    const appId = app.appId.toLowerCase();
    if (appId === GRAPH_APP_ID) {
      report(`${appPath}.appId`, 'is the appId of Microsoft Graph, which every tenant already has');
      return;
    }
    const other = appPaths.get(appId);
    if (other !== undefined) {
      report(`${appPath}.appId`, `appId ${app.appId} is already used by ${other}`);
      return;
    }
    appPaths.set(appId, appPath);
    index.apps.set(appId, { app, label: `application '${app.displayName}'` });
    if (app.id) claimObjectId(app.id, `${appPath}.id`);
  });

  const listedSpAppIds = new Set<string>();
  (tenant.servicePrincipals ?? []).forEach((sp, i) => {
    listedSpAppIds.add(sp.appId.toLowerCase());
    // A managed identity has no application: its service principal is the principal (directory/managed-identity.ts).
    if (isManagedIdentity(sp) && !index.apps.has(sp.appId.toLowerCase())) {
      index.apps.set(sp.appId.toLowerCase(), {
        app: { appId: sp.appId, displayName: sp.displayName ?? sp.appId },
        label: `managed identity '${sp.displayName ?? sp.appId}'`,
      });
    }
    // Another tenant's multi-tenant app, here through consent: consent may name it by appId.
    if (sp.appOwnerOrganizationId && !index.apps.has(sp.appId.toLowerCase())) {
      index.apps.set(sp.appId.toLowerCase(), {
        app: { appId: sp.appId, displayName: sp.displayName ?? sp.appId },
        label: `service principal of '${sp.displayName ?? sp.appId}'`,
      });
    }
    if (!sp.id) return;
    claimObjectId(sp.id, `${path}.servicePrincipals[${i}].id`);
    index.servicePrincipalIds.set(sp.id.toLowerCase(), sp.appId.toLowerCase());
  });
  // Service principals the directory creates itself get ids derived as tenant-directory.ts derives them.
  for (const appId of index.apps.keys()) {
    if (!listedSpAppIds.has(appId)) index.servicePrincipalIds.set(stableUuid(`sp:${tenant.id.toLowerCase()}:${appId}`), appId);
  }
  return index;
}

/**
 * A lookup by GUID, case-insensitively. Ids are nearly always lowercase already, so the exact
 * try comes first: lowercasing 300,000 member ids costs more than the lookups themselves.
 */
function lookup<T>(map: Map<string, T>, id: string): T | undefined {
  return map.get(id) ?? map.get(id.toLowerCase());
}

/** The path of the user or group with this (lowercased) id. */
function objectPath(index: TenantIndex, id: string): string | undefined {
  const user = index.users.get(id);
  if (user >= 0) return `${index.path}.users[${user}]`;
  const group = index.groups.get(id);
  return group === undefined ? undefined : `${index.path}.groups[${group}]`;
}

/** An appId or a service-principal object id → the application (Graph included). */
function resolveApp(index: TenantIndex, ref: string): IndexedApp | undefined {
  const key = ref.toLowerCase();
  return index.apps.get(key) ?? index.apps.get(index.servicePrincipalIds.get(key) ?? '');
}

function scopesByValue(entry: IndexedApp): Map<string, PermissionScope> {
  return (entry.scopesByValue ??= new Map((entry.app.api?.oauth2PermissionScopes ?? []).map((s) => [s.value, s])));
}

function scopesById(entry: IndexedApp): Map<string, PermissionScope> {
  return (entry.scopesById ??= new Map((entry.app.api?.oauth2PermissionScopes ?? []).map((s) => [s.id.toLowerCase(), s])));
}

function rolesById(entry: IndexedApp): Map<string, AppRole> {
  return (entry.rolesById ??= new Map((entry.app.appRoles ?? []).map((r) => [r.id.toLowerCase(), r])));
}

// --- Applications -----------------------------------------------------------------------------

export type RedirectUriPlatform = 'web' | 'spa' | 'publicClient';

function checkApplication(app: Application, path: string, report: Report): void {
  const platforms: RedirectUriPlatform[] = ['web', 'spa', 'publicClient'];
  for (const platform of platforms) {
    (app[platform]?.redirectUris ?? []).forEach((uri, i) => {
      const problem = redirectUriProblem(uri, platform);
      if (problem) report(`${path}.${platform}.redirectUris[${i}]`, problem);
    });
  }
  const logoutUrl = app.web?.logoutUrl;
  if (logoutUrl) {
    const problem = redirectUriProblem(logoutUrl, 'web');
    if (problem) report(`${path}.web.logoutUrl`, problem);
  }
  (app.identifierUris ?? []).forEach((uri, i) => {
    if (!isAbsoluteUri(uri)) report(`${path}.identifierUris[${i}]`, 'must be an absolute URI, e.g. api://{appId}');
  });
  checkUniqueWithin(app.api?.oauth2PermissionScopes ?? [], `${path}.api.oauth2PermissionScopes`, 'scope', report);
  checkUniqueWithin(app.appRoles ?? [], `${path}.appRoles`, 'app role', report);
}

/** Scope and app-role ids and values must be unique within the application. */
function checkUniqueWithin(items: Array<{ id: string; value: string }>, path: string, what: string, report: Report): void {
  const ids = new Map<string, string>();
  const values = new Map<string, string>();
  items.forEach((item, i) => {
    claimUnique(ids, item.id.toLowerCase(), `${path}[${i}].id`, report, (other) => `${what} id ${item.id} is already used by ${owner(other)}`);
    claimUnique(values, item.value, `${path}[${i}].value`, report, (other) => `${what} value ${item.value} is already used by ${owner(other)}`);
  });
}

/**
 * Entra's redirect URI rules (https://learn.microsoft.com/entra/identity-platform/reply-url):
 * absolute, no fragment, no wildcard; web and SPA URIs are https except on localhost/127.0.0.1;
 * public clients may use custom schemes (msal{appId}://auth, com.example.app:/callback).
 */
export function redirectUriProblem(uri: string, platform: RedirectUriPlatform): string | undefined {
  if (!isAbsoluteUri(uri)) return 'must be an absolute URI';
  if (uri.includes('#')) return 'must not contain a fragment (#)';
  if (uri.includes('*')) return 'must not contain a wildcard (*)';
  const url = new URL(uri);
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  if (platform === 'publicClient') return undefined;
  if (!web) return platform === 'spa' ? 'must be an http or https URI' : 'must be an http or https URI (custom schemes are for publicClient)';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'must use https unless the host is localhost';
  return undefined;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);
const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname.toLowerCase());

/** A scheme, and for http(s) an authority; `localhost:3000/cb` is a missing `http://`, not a scheme. */
function isAbsoluteUri(uri: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):(.?)/.exec(uri);
  if (!scheme || /\d/.test(scheme[2] ?? '')) return false;
  if (/^https?$/i.test(scheme[1] ?? '') && !/^https?:\/\/[^/?#]/i.test(uri)) return false;
  return URL.canParse(uri);
}

// --- Credentials ------------------------------------------------------------------------------

function checkCredentials(app: Application, path: string, keyIds: Map<string, string>, report: Report): void {
  const claimKeyId = (keyId: string, keyPath: string): void =>
    claimUnique(keyIds, keyId.toLowerCase(), keyPath, report, (other) => `keyId ${keyId} is already used by ${owner(other)}`);
  (app.passwordCredentials ?? []).forEach((credential, i) => {
    const credentialPath = `${path}.passwordCredentials[${i}]`;
    claimKeyId(credential.keyId, `${credentialPath}.keyId`);
    checkValidityPeriod(credential, credentialPath, report);
  });
  (app.keyCredentials ?? []).forEach((credential, i) => {
    const credentialPath = `${path}.keyCredentials[${i}]`;
    claimKeyId(credential.keyId, `${credentialPath}.keyId`);
    checkValidityPeriod(credential, credentialPath, report);
    if (!parsesAsCertificate(credential.key)) report(`${credentialPath}.key`, 'must be an X.509 certificate (PEM, or base64 DER)');
  });
}

function checkValidityPeriod(credential: PasswordCredential | KeyCredential, path: string, report: Report): void {
  const start = parseDate(credential.startDateTime, `${path}.startDateTime`, report);
  const end = parseDate(credential.endDateTime, `${path}.endDateTime`, report);
  if (start !== undefined && end !== undefined && end <= start) report(`${path}.endDateTime`, 'must be after startDateTime');
}

/** The schema checked the shape; this rejects dates that do not exist (2024-02-30, 25:00). */
function parseDate(value: string | null | undefined, path: string, report: Report): number | undefined {
  if (value == null) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value);
  const [year, month, day, hour, minute, second] = (m?.slice(1) ?? []).map((part) => Number(part ?? 0));
  const valid =
    m !== null &&
    month !== undefined &&
    month >= 1 &&
    month <= 12 &&
    day !== undefined &&
    day >= 1 &&
    day <= daysInMonth(year ?? 0, month) &&
    (hour ?? 0) < 24 &&
    (minute ?? 0) < 60 &&
    (second ?? 0) < 60;
  const time = valid ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) {
    report(path, 'is not a valid date');
    return undefined;
  }
  return time;
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

function parsesAsCertificate(key: string): boolean {
  const text = key.trim();
  try {
    new X509Certificate(text.startsWith('-----BEGIN') ? text : Buffer.from(text.replace(/\s+/g, ''), 'base64'));
    return true;
  } catch {
    return false;
  }
}

// --- API permissions ----------------------------------------------------------------------------

/** Permission ids must exist on the resource when the fixture defines it (or it is Graph). */
function checkRequiredResourceAccess(app: Application, path: string, index: TenantIndex, report: Report): void {
  (app.requiredResourceAccess ?? []).forEach((required, i) => {
    // An API outside the fixture (SharePoint, a partner's API) cannot be checked; that is fine.
    const resource = index.apps.get(required.resourceAppId.toLowerCase());
    if (!resource) return;
    required.resourceAccess.forEach((access, k) => {
      const accessPath = `${path}.requiredResourceAccess[${i}].resourceAccess[${k}]`;
      const id = access.id.toLowerCase();
      const scope = scopesById(resource).get(id);
      const role = rolesById(resource).get(id);
      if (access.type === 'Scope' && !scope) {
        if (role) report(`${accessPath}.type`, `must be Role: ${access.id} is the application permission ${role.value} of ${resource.label}`);
        else report(`${accessPath}.id`, `is not a delegated permission (Scope) of ${resource.label}`);
      } else if (access.type === 'Role' && !role) {
        if (scope) report(`${accessPath}.type`, `must be Scope: ${access.id} is the delegated permission ${scope.value} of ${resource.label}`);
        else report(`${accessPath}.id`, `is not an app role (Role) of ${resource.label}`);
      } else if (access.type === 'Role' && role && !role.allowedMemberTypes.includes('Application')) {
        report(
          `${accessPath}.id`,
          `app role ${role.value} of ${resource.label} is not an application permission (allowedMemberTypes: ${role.allowedMemberTypes.join(', ')})`,
        );
      }
    });
  });
}

function checkServicePrincipals(tenant: TenantFixture, index: TenantIndex, report: Report): void {
  const seen = new Map<string, string>();
  (tenant.servicePrincipals ?? []).forEach((sp, i) => {
    const path = `${index.path}.servicePrincipals[${i}].appId`;
    if (!index.apps.has(sp.appId.toLowerCase())) {
      report(path, 'must be the appId of an application in this tenant');
      return;
    }
    claimUnique(seen, sp.appId.toLowerCase(), path, report, (other) => `a service principal for ${sp.appId} is already listed at ${owner(other)}`);
  });
}

// --- Consent ----------------------------------------------------------------------------------

const UNKNOWN_APP_MESSAGE = `must be the appId of an application in this tenant, a service principal id, or Microsoft Graph (${GRAPH_APP_ID})`;

function checkGrant(grant: OAuth2PermissionGrant, path: string, index: TenantIndex, report: Report): void {
  if (!resolveApp(index, grant.clientId)) report(`${path}.clientId`, UNKNOWN_APP_MESSAGE);
  const resource = resolveApp(index, grant.resourceId);
  if (!resource) report(`${path}.resourceId`, UNKNOWN_APP_MESSAGE);

  if (grant.consentType === 'Principal') {
    if (grant.principalId == null) report(`${path}.principalId`, 'is required when consentType is Principal');
    else if (!index.users.has(grant.principalId)) report(`${path}.principalId`, 'must be the id of a user in this tenant');
  } else if (grant.principalId != null) {
    report(`${path}.principalId`, 'must be null or absent when consentType is AllPrincipals');
  }

  if (!resource) return;
  const exposed = scopesByValue(resource);
  for (const value of grant.scope.split(' ').filter(Boolean)) {
    if (exposed.has(value)) continue;
    const sameLetters = [...exposed.keys()].find((v) => v.toLowerCase() === value.toLowerCase());
    const hint = sameLetters ? ` (did you mean ${sameLetters}?)` : '';
    report(`${path}.scope`, `${value} is not a delegated permission of ${resource.label}${hint}`);
  }
}

/** Graph refuses a second grant for the same client, resource and principal. */
function checkGrantDuplicates(tenant: TenantFixture, index: TenantIndex, report: Report): void {
  const seen = new Map<string, string>();
  (tenant.oauth2PermissionGrants ?? []).forEach((grant, i) => {
    const client = resolveApp(index, grant.clientId);
    const resource = resolveApp(index, grant.resourceId);
    if (!client || !resource) return;
    const key = [client.app.appId, resource.app.appId, grant.consentType, grant.principalId ?? ''].join('|').toLowerCase();
    claimUnique(
      seen,
      key,
      `${index.path}.oauth2PermissionGrants[${i}]`,
      report,
      (other) => `duplicates ${other} (same client, resource and principal): merge their scopes`,
    );
  });
}

type PrincipalKind = 'User' | 'Group' | 'ServicePrincipal';

function principalKindOf(index: TenantIndex, id: string): PrincipalKind | undefined {
  const key = id.toLowerCase();
  if (index.users.has(key)) return 'User';
  if (index.groups.has(key)) return 'Group';
  return resolveApp(index, key) ? 'ServicePrincipal' : undefined;
}

function checkAssignments(tenant: TenantFixture, index: TenantIndex, report: Report): void {
  const seen = new Map<string, string>();
  (tenant.appRoleAssignments ?? []).forEach((assignment, i) => {
    const path = `${index.path}.appRoleAssignments[${i}]`;
    const kind = checkAssignment(assignment, path, index, report);
    const resource = resolveApp(index, assignment.resourceId);
    if (!kind || !resource) return;
    const principal = kind === 'ServicePrincipal' ? (resolveApp(index, assignment.principalId)?.app.appId ?? '') : assignment.principalId;
    const key = [principal, resource.app.appId, assignment.appRoleId].join('|').toLowerCase();
    claimUnique(seen, key, path, report, (other) => `duplicates ${other} (same principal, resource and app role)`);
  });
}

/** Returns the principal's kind when it resolves, so the caller can look for duplicates. */
function checkAssignment(assignment: AppRoleAssignment, path: string, index: TenantIndex, report: Report): PrincipalKind | undefined {
  const kind = principalKindOf(index, assignment.principalId);
  if (!kind) report(`${path}.principalId`, 'must be the id of a user, group, or application (appId or service principal id) in this tenant');
  else if (assignment.principalType && assignment.principalType !== kind) {
    report(`${path}.principalType`, `must be ${kind}: principalId names a ${kind === 'ServicePrincipal' ? 'service principal' : kind.toLowerCase()}`);
  }
  const resource = resolveApp(index, assignment.resourceId);
  if (!resource) report(`${path}.resourceId`, UNKNOWN_APP_MESSAGE);
  if (!kind || !resource) return kind;

  const rolePath = `${path}.appRoleId`;
  if (assignment.appRoleId === DEFAULT_ACCESS_ROLE_ID) {
    if (kind === 'ServicePrincipal') report(rolePath, 'the default access role (empty GUID) can only be assigned to users and groups');
    return kind;
  }
  const role = rolesById(resource).get(assignment.appRoleId.toLowerCase());
  if (!role) {
    report(rolePath, `is not an app role of ${resource.label} (use ${DEFAULT_ACCESS_ROLE_ID} for default access)`);
    return kind;
  }
  const memberType = kind === 'ServicePrincipal' ? 'Application' : 'User';
  if (!role.allowedMemberTypes.includes(memberType)) {
    const whom = memberType === 'Application' ? 'applications' : 'users and groups';
    report(rolePath, `app role ${role.value} of ${resource.label} cannot be assigned to ${whom} (allowedMemberTypes: ${role.allowedMemberTypes.join(', ')})`);
  }
  return kind;
}

// --- Groups -----------------------------------------------------------------------------------

interface MemberEdge {
  /** Position of the member group in `groups`. */
  target: number;
  /** Position of the entry in the containing group's `members`, to name it when reporting. */
  member: number;
}

function checkGroupMembers(tenant: TenantFixture, index: TenantIndex, report: Report, seal: boolean): void {
  const groups = tenant.groups ?? [];
  const users = tenant.users ?? [];
  // Duplicates (the schema's uniqueItems, done here: see schemaValidator) by position: for
  // the user or group at position p, the group (+1) that listed it last and where.
  const userSeenIn = new Int32Array(users.length);
  const userSeenAt = new Int32Array(users.length);
  const groupSeenIn = new Int32Array(groups.length);
  const groupSeenAt = new Int32Array(groups.length);
  const duplicate = (seenIn: Int32Array, seenAt: Int32Array, position: number, i: number, k: number): boolean => {
    if (seenIn[position] === i + 1) {
      report(`${index.path}.groups[${i}].members[${k}]`, `is the same as members[${seenAt[position]!}]`);
      return true;
    }
    seenIn[position] = i + 1;
    seenAt[position] = k;
    return false;
  };
  // Where the generator put the members it drew (resolved-members.ts). A hinted position p is
  // what looking the member up would give when `users[p].id === member` — the table holds each
  // id at its user's position, and users come before groups — as long as no two users share an
  // id; with a duplicate (reported above) the lookup decides, as for any other member.
  const hints = index.duplicateUserIds ? undefined : memberHintsOf(groups);
  const userIds = users.map((u) => u.id);
  const hintedGroups = hints ? hints.offsets.length - 1 : 0;
  // Frozen by the generator and still where it put them: the codes need no compare (MemberHints.generated).
  const generated = hints?.generated;
  let trusted =
    generated !== undefined && hints!.usersFrom + generated.users.length <= users.length && hints!.groupsFrom + generated.groups.length <= groups.length;
  for (let p = 0; trusted && p < generated!.users.length; p++) trusted = users[hints!.usersFrom + p] === generated!.users[p];
  // Group → group edges only (users cannot close a cycle), by position in `groups`.
  const edges: MemberEdge[][] = [];
  // What each member resolved to, for TenantDirectory (resolved-members.ts): one flat array.
  let total = 0;
  for (let i = 0; i < groups.length; i++) total += groups[i]!.members?.length ?? 0;
  const codes = new Int32Array(total);
  const offsets = new Int32Array(groups.length + 1);
  for (let i = 0, n = 0; i < groups.length; i++) {
    offsets[i] = n;
    const members = groups[i]!.members ?? [];
    const groupEdges: MemberEdge[] = [];
    const h = hints ? i - hints.groupsFrom : -1;
    const hintFrom = h >= 0 && h < hintedGroups ? hints!.offsets[h]! : 0;
    const hinted = h >= 0 && h < hintedGroups ? hints!.offsets[h + 1]! - hintFrom : 0;
    const hintsHold = trusted && hinted > 0 && groups[i] === generated!.groups[h];
    const writable = !Object.isFrozen(members);
    for (let k = 0; k < members.length; k++, n++) {
      const member = members[k]!;
      codes[n] = UNRESOLVED;
      let user = -1;
      if (k < hinted) {
        const p = hints!.usersFrom + hints!.codes[hintFrom + k]!;
        if (hintsHold || userIds[p] === member) user = p;
      }
      if (user < 0) {
        user = index.users.get(member);
        // Both in lower case, the same characters as the user's id, but most likely another
        // string (each member of a parsed JSON file is one): from now on the user's — a million
        // copies of ids become garbage, and later compares are of references. Frozen lists (a
        // running tenant's) stay as they are.
        if (user >= 0 && writable && index.users.lastWasLowercase() && index.lowercaseUserIds[user] === 1) members[k] = userIds[user]!;
      }
      if (user >= 0) {
        duplicate(userSeenIn, userSeenAt, user, i, k);
        codes[n] = user;
        continue;
      }
      const target = lookup(index.groups, member);
      if (target === i) report(`${index.path}.groups[${i}].members[${k}]`, 'a group cannot contain itself');
      else if (target === undefined)
        report(`${index.path}.groups[${i}].members[${k}]`, isGuid(member) ? 'must be the id of a user or group in this tenant' : PATTERN_MESSAGES.guid!);
      else if (!duplicate(groupSeenIn, groupSeenAt, target, i, k)) {
        groupEdges.push({ target, member: k });
        codes[n] = -1 - target;
      }
    }
    edges.push(groupEdges);
  }
  offsets[groups.length] = total;
  if (seal) freezeDirectoryObjects(tenant);
  if (tenant.groups && tenant.users) {
    recordResolvedMembers(tenant.groups, {
      users: tenant.users,
      userIds,
      codes,
      offsets,
      sealed: seal,
      // Frozen, the users keep these: TenantDirectory takes them instead of lowercasing and
      // hashing 200,000 strings again.
      keys: seal && !index.duplicateUserIds ? { ids: index.userKeys, upns: index.upnKeys, usersByUpn: index.usersByUpn } : undefined,
    });
  }
  reportMembershipCycles(groups, edges, index.path, report);
}

/**
 * Member ids of a tenant the schema found broken (so without the second pass, which checks them
 * while resolving them): the schema's GUID format and uniqueItems, which schemaValidator takes out.
 */
function checkMemberIds(tenant: unknown, path: string, report: Report): void {
  const groups = (tenant as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(groups)) return;
  groups.forEach((group: unknown, i) => {
    const members = (group as { members?: unknown } | null)?.members;
    if (!Array.isArray(members)) return;
    const first = new Map<unknown, number>();
    members.forEach((member: unknown, k) => {
      if (typeof member !== 'string') return;
      if (!isGuid(member)) report(`${path}.groups[${i}].members[${k}]`, PATTERN_MESSAGES.guid!);
      const earlier = first.get(member);
      if (earlier === undefined) first.set(member, k);
      else report(`${path}.groups[${i}].members[${k}]`, `is the same as members[${earlier}]`);
    });
  });
}

/**
 * Iterative depth-first search (a 20,000-group tenant would overflow recursion): an edge back
 * to a group still on the stack closes a cycle, reported once at the member entry that closes it.
 */
function reportMembershipCycles(groups: Group[], edges: MemberEdge[][], tenantPath: string, report: Report): void {
  const done = new Uint8Array(groups.length);
  /** Stack depth + 1 of each group currently on the stack; 0 when it is not. */
  const onStack = new Uint32Array(groups.length);
  for (let root = 0; root < groups.length; root++) {
    if (done[root]) continue;
    const stack: Array<{ group: number; next: number }> = [{ group: root, next: 0 }];
    onStack[root] = 1;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const edge = edges[frame.group]?.[frame.next++];
      if (!edge) {
        stack.pop();
        onStack[frame.group] = 0;
        done[frame.group] = 1;
        continue;
      }
      const depth = onStack[edge.target] ?? 0;
      if (depth > 0) {
        const cycle = [...stack.slice(depth - 1).map((f) => f.group), edge.target].map((g) => groups[g]?.displayName ?? '');
        report(`${tenantPath}.groups[${frame.group}].members[${edge.member}]`, `creates a membership cycle: ${cycle.join(' → ')}`);
      } else if (!done[edge.target]) {
        stack.push({ group: edge.target, next: 0 });
        onStack[edge.target] = stack.length;
      }
    }
  }
}
