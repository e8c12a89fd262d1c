import type { ErrorObject } from 'ajv';
import type { TenantFixture } from './model.js';

/**
 * A tenant the JSON Schema refused, cut down to the parts that have the shape model.ts describes,
 * so that the second pass (redirect URIs, cross-references, members…) can check the rest of it
 * in the same run. Without this, a fixture with a wrong type in one user showed its bad redirect
 * URIs and dangling member ids only once that was fixed: `fixtures validate` and a refused start
 * must list every error in one pass.
 *
 * Repair, repeated until the schema accepts the copy: an unknown property is deleted; a property
 * with a wrong value is deleted; an object that lacks a required property is cut from its array
 * (an array element with a wrong value too). A tenant that would lose its own required
 * properties is given up (undefined): nothing of it can be checked.
 */
export interface PrunedTenant {
  tenant: TenantFixture;
  /** Rewrites the tenant's paths in a path or message from the pruned copy's positions to the original's. */
  originalPaths: (text: string) => string;
  /**
   * Whether an issue of the second pass only repeats a schema error: its value is the id or
   * appId of an object that was cut (a member or principal id "not in this tenant" because the
   * object it names is broken), or it is at a path the schema already reported.
   */
  isEcho: (path: string) => boolean;
}

/** The schema's errors for one tenant, their instancePath relative to the tenant (`/users/0/id`). */
export type TenantSchemaCheck = (tenant: unknown) => ErrorObject[];

/**
 * Errors in a string's or a number's content (a GUID pattern, a length, a range), which the second
 * pass reads without harm: the value stays, so a tenant id that is not a GUID does not cost the
 * tenant its checks. The second pass's own issue at the same path is an echo (isEcho).
 */
const TOLERATED = new Set(['pattern', 'format', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum']);

/** Rounds of repair before giving up: each round removes at least one failing value, and errors nest a few levels deep. */
const MAX_ROUNDS = 25;

export function pruneToShape(tenant: unknown, tenantPath: string, check: TenantSchemaCheck, reportedPaths: ReadonlySet<string>): PrunedTenant | undefined {
  if (typeof tenant !== 'object' || tenant === null || Array.isArray(tenant)) return undefined;
  const copy = structuredClone(tenant) as Record<string, unknown>;
  /** Array (by its path in the original's positions, relative to the tenant) → original position of each element the copy keeps. */
  const kept = new Map<string, number[]>();
  const cutIds = new Set<string>();

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const errors = check(copy).filter((e) => e.keyword !== 'if' && !TOLERATED.has(e.keyword));
    if (errors.length === 0) {
      const originalPaths = (text: string): string => mapTenantPaths(text, tenantPath, kept);
      const isEcho = (path: string): boolean => {
        if (reportedPaths.has(path)) return true;
        const value = valueAt(tenant, path, tenantPath);
        return typeof value === 'string' && cutIds.has(value.toLowerCase());
      };
      return { tenant: copy as unknown as TenantFixture, originalPaths, isEcho };
    }
    const deletions: Array<{ parent: Record<string, unknown>; key: string }> = [];
    const cuts = new Map<unknown[], { key: string; indices: Set<number> }>();
    const cut = (step: Step, index: number): void => {
      const array = step.container as unknown[];
      const entry = cuts.get(array) ?? { key: step.arrayKey, indices: new Set<number>() };
      entry.indices.add(index);
      cuts.set(array, entry);
    };
    for (const error of errors) {
      const walk = walkPointer(copy, error.instancePath, kept);
      if (walk === undefined) continue; // removed earlier this round
      const params = error.params as Record<string, unknown>;
      if (error.keyword === 'additionalProperties') {
        if (isRecord(walk.value)) deletions.push({ parent: walk.value, key: String(params.additionalProperty) });
      } else if (error.keyword === 'uniqueItems' && Array.isArray(walk.value)) {
        // The later of the two equal items goes; the array stays.
        cut({ container: walk.value, key: '', isElement: true, arrayKey: walk.path }, Math.max(Number(params.i), Number(params.j)));
      } else if (error.keyword === 'required') {
        // The object itself is incomplete: the array element it is (or is in) goes.
        if (!walk.lastElement) return undefined; // the tenant lacks one of its own required properties
        cut(walk.lastElement, Number(walk.lastElement.key));
      } else if (walk.last?.isElement) {
        cut(walk.last, Number(walk.last.key));
      } else if (walk.last) {
        // An object's property with a wrong value goes (and comes back as `required` when it must be there).
        deletions.push({ parent: walk.last.container as Record<string, unknown>, key: walk.last.key });
      } else return undefined; // the tenant is not an object
    }
    for (const { parent, key } of deletions) delete parent[key];
    for (const [array, { key, indices }] of cuts) {
      const positions = kept.get(key) ?? array.map((_, i) => i);
      for (const index of [...indices].sort((a, b) => b - a)) {
        const removed: unknown = array[index];
        if (isRecord(removed)) for (const idKey of ['id', 'appId']) if (typeof removed[idKey] === 'string') cutIds.add(removed[idKey].toLowerCase());
        array.splice(index, 1);
        positions.splice(index, 1);
      }
      kept.set(key, positions);
    }
    if (deletions.length === 0 && cuts.size === 0) return undefined; // nothing left to repair, yet the schema refuses it
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Step {
  container: unknown;
  key: string;
  isElement: boolean;
  /** For an element: its array's path in the original's positions (`applications[3].web.redirectUris`). */
  arrayKey: string;
}

/**
 * Follows a JSON pointer (relative to `/tenants/0`) through the copy: the value there, its path in
 * the original's positions, the last step and the last array element on the way. The pointer's
 * positions are the copy's.
 */
function walkPointer(
  root: Record<string, unknown>,
  pointer: string,
  kept: ReadonlyMap<string, number[]>,
): { value: unknown; path: string; last: Step | undefined; lastElement: Step | undefined } | undefined {
  const segments = pointer
    .replace(/^\/tenants\/0/, '')
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let value: unknown = root;
  let path = '';
  let last: Step | undefined;
  let lastElement: Step | undefined;
  for (const key of segments) {
    if (Array.isArray(value)) {
      const index = Number(key);
      if (!(index < value.length)) return undefined;
      const original = kept.get(path)?.[index] ?? index;
      last = { container: value, key, isElement: true, arrayKey: path };
      lastElement = last;
      path = `${path}[${original}]`;
      value = value[index];
    } else if (isRecord(value)) {
      if (!(key in value)) return undefined;
      last = { container: value, key, isElement: false, arrayKey: '' };
      path = path === '' ? key : `${path}.${key}`;
      value = value[key];
    } else return undefined;
  }
  return { value, path, last, lastElement };
}

/** Every `tenants[N]…` path of this tenant in `text`, its positions turned back into the original's. */
function mapTenantPaths(text: string, tenantPath: string, kept: ReadonlyMap<string, number[]>): string {
  if (kept.size === 0) return text;
  const prefix = tenantPath.replace(/[[\]]/g, '\\$&');
  return text.replace(new RegExp(`${prefix}((?:\\.[A-Za-z_$][\\w$]*|\\[\\d+\\])+)`, 'g'), (_match, tail: string) => {
    let path = '';
    let out = '';
    for (const [, name, index] of tail.matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) {
      if (name !== undefined) {
        path = path === '' ? name : `${path}.${name}`;
        out += `.${name}`;
      } else {
        const original = kept.get(path)?.[Number(index)] ?? Number(index);
        path = `${path}[${original}]`;
        out += `[${original}]`;
      }
    }
    return `${tenantPath}${out}`;
  });
}

/** The value at an original path (`tenants[0].groups[1].members[2]`) of the original tenant. */
function valueAt(tenant: unknown, path: string, tenantPath: string): unknown {
  if (!path.startsWith(tenantPath)) return undefined;
  let value = tenant;
  for (const [, name, index] of path.slice(tenantPath.length).matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) {
    if (name !== undefined) value = isRecord(value) ? value[name] : undefined;
    else value = Array.isArray(value) ? (value as unknown[])[Number(index)] : undefined;
  }
  return value;
}
