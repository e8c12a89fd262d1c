import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { FixtureDocument, FixtureSource, TenantFixture, TenantSource } from './model.js';
import { FixtureError, type FixtureIssue } from './fixture-issues.js';
import { isUnresolved, schemaErrorsOfTenant, validateFixture, type ValidateOptions } from './validate-fixture.js';
import { pruneToShape, type PrunedTenant } from './shape-pruned-tenant.js';
import { DEFAULT_FIXTURE_PATH } from './default-fixture.js';
import { memberHintsOf, recordMemberHints } from './resolved-members.js';

/** The shipped default tenant (Contoso), the public contract documented in the README. */
export { DEFAULT_FIXTURE_PATH };

/** The name `extends` gives the shipped default tenant. */
export const DEFAULT_TENANT_NAME = 'contoso';

/** Parses YAML or JSON text; a syntax error becomes a FixtureIssue with the line. */
export function parseFixtureText(text: string, file: string): { doc?: unknown; issues: FixtureIssue[] } {
  try {
    const doc: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
    return { doc, issues: [] };
  } catch (e) {
    return { issues: [{ file, path: '', message: `cannot parse: ${(e as Error).message.split('\n')[0]}` }] };
  }
}

/** How `extends` may find its base. */
export interface ResolveOptions {
  /**
   * Whether `extends` may name fixture files (default true). The control API says false: it
   * creates tenants for tests and has no business reading the mock's disk — `contoso` still works.
   */
  files?: boolean;
  /** Where relative `extends` paths start (default: the working directory). */
  baseDir?: string;
}

/**
 * Reads, parses, resolves (`extends`, `generate`) and validates a fixture file; throws
 * FixtureError listing every problem. Relative `extends` paths start at the file's directory.
 */
export async function loadFixtureFile(file: string): Promise<FixtureDocument> {
  return loadFile(file, [], false);
}

/**
 * Resolves a fixture document's `extends` and `generate` and validates the result: the async
 * twin of {@link checkedFixture}, for documents that may still need resolving.
 *
 * @example
 * const doc = await resolveFixture({ tenants: [{ extends: 'contoso', id, displayName: 'Big', verifiedDomains: ['big.test'],
 *   generate: { seed: 1, users: 5000, groups: 800 } }] });
 */
export async function resolveFixture(doc: unknown, file = '(inline fixture)', options: ResolveOptions = {}): Promise<FixtureDocument> {
  return resolveDocument(doc, file, { files: options.files ?? true, baseDir: options.baseDir ?? process.cwd(), seal: false }, []);
}

/**
 * Validates an in-memory document whose tenants are resolved (from a test, or the control API);
 * a tenant with `extends` or `generate` is an issue here: {@link resolveFixture} resolves them.
 */
export function checkedFixture(doc: unknown, file = '(inline fixture)'): FixtureDocument {
  return checked(doc, file, {});
}

function checked(doc: unknown, file: string, options: ValidateOptions): FixtureDocument {
  const issues = validateFixture(doc, file, options);
  if (issues.length === 0) {
    (doc as FixtureSource).tenants.forEach((tenant, i) => {
      if (!isUnresolved(tenant)) return;
      const key = tenant.extends !== undefined ? 'extends' : 'generate';
      issues.push({
        file,
        path: `tenants[${i}].${key}`,
        message: 'is resolved when a fixture is loaded (loadFixtures, loadFixtureFile, resolveFixture), not by checkedFixture',
      });
    });
  }
  if (issues.length > 0) throw new FixtureError(issues);
  return doc as FixtureDocument;
}

/** How {@link loadFixtures} hands over what it loaded. */
export interface LoadOptions {
  /**
   * Freeze every tenant's users and groups as they are validated (what TenantRuntime does to
   * them anyway): the mock's own load, for the caller that gives the tenants straight to
   * TenantRuntime. TenantDirectory then trusts what validation resolved the members to, instead
   * of comparing a million member ids again (resolved-members.ts). Default false: the document
   * is the caller's to change.
   */
  seal?: boolean;
}

/** Loads several fixtures; tenants from all of them, every error from all of them. */
export async function loadFixtures(sources: Array<string | FixtureDocument | FixtureSource>, options: LoadOptions = {}): Promise<FixtureDocument> {
  const seal = options.seal ?? false;
  const all: FixtureIssue[] = [];
  const tenants: FixtureDocument['tenants'] = [];
  for (const src of sources) {
    try {
      // In-memory documents are copied: the tenants take ownership of what they are given.
      const doc =
        typeof src === 'string'
          ? await loadFile(src, [], seal)
          : await resolveDocument(structuredClone(src), '(inline fixture)', { files: true, baseDir: process.cwd(), seal }, []);
      tenants.push(...doc.tenants);
    } catch (e) {
      if (e instanceof FixtureError) all.push(...e.issues);
      else throw e;
    }
  }
  const seen = new Map<string, number>();
  tenants.forEach((t, i) => {
    const id = t.id.toLowerCase();
    if (seen.has(id)) all.push({ file: '(all fixtures)', path: `tenants[${i}].id`, message: `tenant ${t.id} is defined twice` });
    seen.set(id, i);
  });
  if (all.length > 0) throw new FixtureError(all);
  return { tenants };
}

// ---------------------------------------------------------------------------------------------
// extends + generate

interface Resolution {
  files: boolean;
  baseDir: string;
  /** ValidateOptions.seal: the documents are the loader's own, for TenantRuntime. */
  seal: boolean;
}

/** `chain`: the files whose tenants are being resolved, outermost first (to refuse cycles). */
async function loadFile(file: string, chain: string[], seal: boolean): Promise<FixtureDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new FixtureError([{ file, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  const { doc, issues } = parseFixtureText(text, file);
  if (issues.length > 0) throw new FixtureError(issues);
  return resolveDocument(doc, file, { files: true, baseDir: dirname(file), seal }, [...chain, resolvePath(file)]);
}

async function resolveDocument(doc: unknown, file: string, resolution: Resolution, chain: string[]): Promise<FixtureDocument> {
  if (!hasUnresolvedTenants(doc)) return checked(doc, file, { seal: resolution.seal });
  // The directives and every tenant's shape first: nothing is served from a broken spec. Its
  // issues come with those of the tenants resolved anyway (issuesOfBrokenSource).
  const issues = validateFixture(doc, file);
  if (issues.length > 0) throw new FixtureError(await issuesOfBrokenSource(doc, file, resolution, chain, issues));

  const source = doc as FixtureSource;
  const origins: Array<TenantOrigin | undefined> = [];
  const tenants: TenantFixture[] = [];
  for (let i = 0; i < source.tenants.length; i++) {
    const tenant = source.tenants[i]!;
    if (!isUnresolved(tenant)) {
      tenants.push(tenant as TenantFixture);
      continue;
    }
    const merged = await resolveTenant(tenant, i, file, resolution, chain);
    tenants.push(merged.tenant);
    origins[i] = merged.origin;
  }
  const resolved: FixtureDocument = source.$schema === undefined ? { tenants } : { $schema: source.$schema, tenants };
  const problems = validateFixture(resolved, file, { seal: resolution.seal, generatedFrom: generatedFromOf(origins, source.tenants) });
  if (problems.length > 0) throw new FixtureError(problems.map((issue) => renameMergedPaths(issue, origins)));
  return resolved;
}

/** Its base (loaded, valid) merged with the tenant, then its generated users and groups appended. */
async function resolveTenant(
  tenant: TenantSource,
  index: number,
  file: string,
  resolution: Resolution,
  chain: string[],
): Promise<{ tenant: TenantFixture; origin: TenantOrigin }> {
  const base = tenant.extends === undefined ? undefined : await loadBase(tenant.extends, `tenants[${index}].extends`, file, resolution, chain);
  const merged = mergeTenant(base, tenant);
  if (tenant.generate) await addGenerated(merged, tenant, resolution.seal);
  return merged;
}

/** Generated users and groups are valid by construction: the schema pass skips them (ValidateOptions.generatedFrom). */
function generatedFromOf(origins: ReadonlyArray<TenantOrigin | undefined>, sources: readonly TenantSource[]): ValidateOptions['generatedFrom'] {
  return origins.map((origin, i) =>
    origin && sources[i]?.generate ? { users: origin.lists.users!.generatedFrom, groups: origin.lists.groups!.generatedFrom } : undefined,
  );
}

/**
 * A source the first pass refused (schema errors, a generate spec that does not add up): its
 * issues, and those the merged tenants would have — a dangling member id that only the base's
 * users can resolve, a bad redirect URI of this file's application, a UPN a generated user
 * already has — so that `fixtures validate` and a refused start list every error in one pass, as
 * for plain fixtures (validate-fixture.ts). Each refused tenant is cut down to what has the
 * schema's shape (shape-pruned-tenant.ts); a generate spec with an issue is left out (nothing is
 * generated from it); a tenant whose base cannot be loaded, or that keeps nothing checkable, adds
 * only its own issues. The second pass's issues are named at the original's positions, without
 * repeats and without echoes of what was cut.
 */
async function issuesOfBrokenSource(doc: unknown, file: string, resolution: Resolution, chain: string[], first: FixtureIssue[]): Promise<FixtureIssue[]> {
  const all = [...first];
  const sources = (doc as { tenants?: unknown } | null)?.tenants;
  // Outside any tenant (no `tenants`, a stray root key): the first pass said all there is to say.
  if (!Array.isArray(sources) || first.some((issue) => tenantOf(issue.path) === undefined)) return all;
  const reportedPaths = new Set(first.map((issue) => issue.path));
  const tenants: TenantFixture[] = [];
  const plans: Array<{ index: number; source: TenantSource; origin?: TenantOrigin; pruned?: PrunedTenant }> = [];
  for (let i = 0; i < sources.length; i++) {
    const raw: unknown = sources[i];
    if (typeof raw !== 'object' || raw === null) continue;
    if (!isUnresolved(raw as TenantSource)) {
      // validateFixture prunes a plain tenant itself; here it takes part in the checks across tenants.
      tenants.push(raw as TenantFixture);
      plans.push({ index: i, source: raw as TenantSource });
      continue;
    }
    const own = first.filter((issue) => tenantOf(issue.path) === i);
    let source = raw as TenantSource;
    let pruned: PrunedTenant | undefined;
    if (own.length > 0) {
      const candidate: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
      if (own.some((issue) => issue.path.startsWith(`tenants[${i}].generate`))) delete candidate.generate;
      if (own.some((issue) => issue.path === `tenants[${i}].extends`)) continue;
      pruned = pruneToShape(candidate, `tenants[${i}]`, schemaErrorsOfTenant, reportedPaths);
      if (!pruned) continue;
      source = pruned.tenant as TenantSource;
    }
    try {
      const merged = await resolveTenant(source, i, file, resolution, chain);
      tenants.push(merged.tenant);
      plans.push({ index: i, source, origin: merged.origin, pruned });
    } catch (e) {
      if (!(e instanceof FixtureError)) throw e;
      all.push(...e.issues);
    }
  }
  const origins = plans.map((p) => p.origin);
  const generatedFrom = generatedFromOf(
    origins,
    plans.map((p) => p.source),
  );
  const seen = new Set(all.map((issue) => `${issue.path}\0${issue.message}`));
  const prunedOnes = plans.flatMap((p) => (p.pruned ? [p.pruned] : []));
  // Nothing resolved (every tenant is given up): nothing more to check — not an empty document.
  const second = tenants.length === 0 ? [] : validateFixture({ tenants }, file, { generatedFrom });
  for (const problem of second) {
    const renamed = renameMergedPaths(problem, origins);
    // Positions in the resolved document → the source's tenants, then the pruned copies' positions → the original's.
    const atSource = (text: string): string =>
      prunedOnes.reduce(
        (t, p) => p.originalPaths(t),
        text.replace(/tenants\[(\d+)\]/g, (whole, k: string) => `tenants[${plans[Number(k)]?.index ?? k}]`),
      );
    const path = atSource(renamed.path);
    const message = atSource(renamed.message);
    const plan = plans.find((p) => p.index === tenantOf(path));
    if (plan?.pruned?.isEcho(path)) continue;
    const key = `${path}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    all.push({ file: problem.file, path, message });
  }
  return all;
}

/** `tenants[3].users[0]` → 3; undefined outside any tenant. */
function tenantOf(path: string): number | undefined {
  const match = /^tenants\[(\d+)\]/.exec(path);
  return match ? Number(match[1]) : undefined;
}

function hasUnresolvedTenants(doc: unknown): boolean {
  const tenants = (doc as { tenants?: unknown } | null)?.tenants;
  return Array.isArray(tenants) && tenants.some((t) => typeof t === 'object' && t !== null && isUnresolved(t as TenantSource));
}

/** `contoso`, `./base.yaml` (its only tenant) or `./base.yaml#<tenant id>` → the base tenant, resolved and valid. */
async function loadBase(ref: string, path: string, file: string, resolution: Resolution, chain: string[]): Promise<TenantFixture> {
  const fail = (message: string): never => {
    throw new FixtureError([{ file, path, message }]);
  };
  const isDefault = ref.toLowerCase() === DEFAULT_TENANT_NAME;
  const hash = ref.lastIndexOf('#');
  const target = isDefault ? DEFAULT_FIXTURE_PATH : hash >= 0 ? ref.slice(0, hash) : ref;
  const tenantId = !isDefault && hash >= 0 ? ref.slice(hash + 1) : undefined;
  if (!isDefault) {
    if (!/[\\/]/.test(target) && !/\.(?:ya?ml|json)$/i.test(target)) {
      fail(`must be ${DEFAULT_TENANT_NAME} (the default tenant) or a fixture file: ./base.yaml, or ./base.yaml#<tenant id> when it has several tenants`);
    }
    if (!resolution.files)
      fail(
        `names a file: here only ${DEFAULT_TENANT_NAME} can be extended (send the tenant expanded instead: \`mock-entra fixtures generate --out\` writes one)`,
      );
  }
  const absolute = resolvePath(resolution.baseDir, target);
  if (chain.includes(absolute)) fail(`extends a tenant of a file that is being loaded already: ${[...chain, absolute].join(' → ')}`);

  let doc: FixtureDocument;
  try {
    doc = await loadFile(absolute, chain, resolution.seal);
  } catch (e) {
    if (!(e instanceof FixtureError)) throw e;
    // The base's own issues name the base file; this one says who wanted it.
    throw new FixtureError([
      { file, path, message: `cannot extend ${ref}: it has ${e.issues.length === 1 ? 'a problem' : `${e.issues.length} problems`}` },
      ...e.issues,
    ]);
  }
  if (tenantId !== undefined) {
    const tenant = doc.tenants.find((t) => t.id.toLowerCase() === tenantId.toLowerCase());
    return tenant ?? fail(`${target} has no tenant ${tenantId} (it has ${doc.tenants.map((t) => t.id).join(', ')})`);
  }
  if (doc.tenants.length !== 1)
    fail(`${target} has ${doc.tenants.length} tenants: name one, ${target}#<tenant id> (${doc.tenants.map((t) => t.id).join(', ')})`);
  return doc.tenants[0]!;
}

// --- Merging -----------------------------------------------------------------------------------

const LISTS = ['applications', 'servicePrincipals', 'oauth2PermissionGrants', 'appRoleAssignments', 'users', 'groups'] as const;
type ListName = (typeof LISTS)[number];

/** Where each entry of a merged list came from, to name it in an error. */
interface ListOrigin {
  baseLength: number;
  /** Merged position → position in the extending tenant's own list. */
  own: Map<number, number>;
  /** Merged position of the first generated entry. */
  generatedFrom: number;
}

interface TenantOrigin {
  ref: string | undefined;
  lists: Partial<Record<ListName, ListOrigin>>;
}

/** Entries with the same key replace the base's in place: an app by appId, a user or group by id. */
const KEYS: Partial<Record<ListName, (entry: { appId?: string; id?: string }) => string | undefined>> = {
  applications: (e) => e.appId?.toLowerCase(),
  servicePrincipals: (e) => e.appId?.toLowerCase(),
  users: (e) => e.id?.toLowerCase(),
  groups: (e) => e.id?.toLowerCase(),
};

/** The merge rules of model.ts TenantSource, with where every entry came from. */
function mergeTenant(base: TenantFixture | undefined, own: TenantSource): { tenant: TenantFixture; origin: TenantOrigin } {
  const tenant: TenantFixture = {
    // The schema requires these three unless the tenant extends a base, which has them.
    id: own.id ?? base!.id,
    displayName: own.displayName ?? base!.displayName,
    verifiedDomains: own.verifiedDomains ?? base!.verifiedDomains,
  };
  // Consent settings (cross-tenant sign-in): the tenant's policy, else the base's; roles appended.
  const authorizationPolicy = own.authorizationPolicy ?? base?.authorizationPolicy;
  if (authorizationPolicy) tenant.authorizationPolicy = authorizationPolicy;
  const roles = [...(base?.directoryRoleAssignments ?? []), ...(own.directoryRoleAssignments ?? [])];
  if (roles.length > 0) tenant.directoryRoleAssignments = roles;
  const origin: TenantOrigin = { ref: own.extends, lists: {} };
  for (const name of LISTS) {
    const merged = mergeList(base?.[name] ?? [], own[name] ?? [], KEYS[name]);
    origin.lists[name] = merged.origin;
    if (merged.list.length > 0) (tenant as unknown as Record<ListName, unknown[]>)[name] = merged.list;
  }
  return { tenant, origin };
}

function mergeList<T extends object>(base: T[], own: T[], keyOf: ((entry: T) => string | undefined) | undefined): { list: T[]; origin: ListOrigin } {
  const list = [...base];
  const origin: ListOrigin = { baseLength: base.length, own: new Map(), generatedFrom: Infinity };
  const positions = new Map<string, number>();
  if (keyOf) {
    base.forEach((entry, i) => {
      const key = keyOf(entry);
      if (key !== undefined && !positions.has(key)) positions.set(key, i);
    });
  }
  own.forEach((entry, i) => {
    const key = keyOf?.(entry);
    const replaced = key === undefined ? undefined : positions.get(key);
    if (replaced !== undefined && !origin.own.has(replaced)) {
      list[replaced] = entry;
      origin.own.set(replaced, i);
    } else {
      origin.own.set(list.length, i);
      list.push(entry);
    }
  });
  return { list, origin };
}

/** Appends the generated users and groups; loads @faker-js/faker only now, for tenants that generate. */
async function addGenerated(merged: { tenant: TenantFixture; origin: TenantOrigin }, source: TenantSource, seal: boolean): Promise<void> {
  const { generateDirectory } = await import('./generate-tenant.js');
  const { tenant, origin } = merged;
  const generated = generateDirectory(source.generate!, {
    domain: tenant.verifiedDomains[0]!,
    existingUsers: tenant.users ?? [],
    existingGroups: tenant.groups ?? [],
    // Sealed, the validator freezes them anyway; frozen now, their member positions need no checking.
    freeze: seal,
  });
  const usersFrom = tenant.users?.length ?? 0;
  const groupsFrom = tenant.groups?.length ?? 0;
  origin.lists.users!.generatedFrom = usersFrom;
  origin.lists.groups!.generatedFrom = groupsFrom;
  if (generated.users.length > 0) tenant.users = (tenant.users ?? []).concat(generated.users);
  if (generated.groups.length > 0) tenant.groups = (tenant.groups ?? []).concat(generated.groups);
  // The generator's member positions, moved to where its objects are now (resolved-members.ts).
  const hints = memberHintsOf(generated.groups);
  if (hints && tenant.groups) recordMemberHints(tenant.groups, { ...hints, usersFrom: usersFrom + hints.usersFrom, groupsFrom: groupsFrom + hints.groupsFrom });
}

/**
 * An issue in a merged tenant names positions in the merged lists; this names them where the
 * author can find them: `tenants[0].users[1]` (this file's own entry), `tenants[0].extends(contoso).users[2]`
 * (the base tenant's), `tenants[0].generate.users[17]` (the 18th generated user).
 */
function renameMergedPaths(issue: FixtureIssue, origins: Array<TenantOrigin | undefined>): FixtureIssue {
  const rename = (text: string): string =>
    text.replace(/tenants\[(\d+)\]\.(\w+)\[(\d+)\]/g, (whole, tenant: string, list: string, position: string) => {
      const origin = origins[Number(tenant)];
      const lists = origin?.lists[list as ListName];
      if (!origin || !lists) return whole;
      const k = Number(position);
      if (k >= lists.generatedFrom) return `tenants[${tenant}].generate.${list}[${k - lists.generatedFrom}]`;
      const own = lists.own.get(k);
      if (own !== undefined) return `tenants[${tenant}].${list}[${own}]`;
      return `tenants[${tenant}].extends(${origin.ref ?? ''}).${list}[${k}]`;
    });
  return { file: issue.file, path: rename(issue.path), message: rename(issue.message) };
}
