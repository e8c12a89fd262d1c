/**
 * JSON Patch (RFC 6902): add, remove, replace, test — how tests change a tenant's fixture
 * ("expire this secret", "remove that redirect URI") without resending all of it.
 *
 * Written by hand, and written against prototype pollution: a path walks own properties only
 * (`Object.hasOwn`, never `in`), and the segments that lead to a prototype (`__proto__`,
 * `constructor`, `prototype`) are refused before anything is walked. Without that,
 * `{"op":"add","path":"/__proto__/spa",…}` wrote into Object.prototype: every app of every
 * tenant then had that `spa`, until restart. The same class of bug hit fast-json-patch
 * (CVE-2021-4279, https://github.com/advisories/GHSA-8gh8-hqwg-xf34) — one reason there is no
 * dependency here.
 */

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

export class PatchError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(`operation ${index}: ${message}`);
  }
}

/** Path segments that reach an object's prototype: a fixture has no field of these names. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** RFC 6901 §4: `~1` is `/`, `~0` is `~` (in that order). */
const decode = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** RFC 6901 §4: an array index is `0` or digits without a leading zero (so `''`, `01`, `1e2` are none). */
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

const OPS: ReadonlySet<string> = new Set(['add', 'remove', 'replace', 'test']);

export function applyPatch<T>(doc: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw new PatchError('a JSON Patch is an array of operations', 0);
  const root: { v: unknown } = { v: structuredClone(doc) };
  ops.forEach((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PatchError('needs "op" (add, remove, replace, test) and "path"', i);
    const op = raw as Partial<Record<keyof PatchOperation, unknown>>;
    if (typeof op.path !== 'string' || typeof op.op !== 'string' || !OPS.has(op.op)) {
      throw new PatchError('needs "op" (add, remove, replace, test) and "path"', i);
    }
    const path = op.path;
    if (path !== '' && !path.startsWith('/')) throw new PatchError(`path "${path}" must start with "/"`, i);
    const tokens = path === '' ? [] : path.slice(1).split('/').map(decode);
    const refused = tokens.find((t) => PROTOTYPE_KEYS.has(t));
    if (refused !== undefined)
      throw new PatchError(`path "${path}" names "${refused}", which leads to an object's prototype: no fixture field has that name`, i);
    if (tokens.length === 0) {
      if (op.op === 'test') {
        if (JSON.stringify(root.v) !== JSON.stringify(op.value)) throw new PatchError('test failed at the root', i);
      } else if (op.op === 'remove') throw new PatchError('cannot remove the root', i);
      else root.v = structuredClone(op.value);
      return;
    }
    let parent: unknown = root.v;
    for (const t of tokens.slice(0, -1)) parent = child(parent, t, path, i);
    const last = tokens[tokens.length - 1]!;
    if (Array.isArray(parent)) {
      const idx = last === '-' ? parent.length : ARRAY_INDEX.test(last) ? Number(last) : NaN;
      if (!Number.isSafeInteger(idx) || idx > parent.length || (op.op !== 'add' && idx === parent.length))
        throw new PatchError(`no index ${last} in ${path}`, i);
      if (op.op === 'add') parent.splice(idx, 0, structuredClone(op.value));
      else if (op.op === 'remove') parent.splice(idx, 1);
      else if (op.op === 'replace') parent[idx] = structuredClone(op.value);
      else if (JSON.stringify(parent[idx]) !== JSON.stringify(op.value)) throw new PatchError(`test failed at ${path}`, i);
    } else if (typeof parent === 'object' && parent !== null) {
      const obj = parent as Record<string, unknown>;
      if (op.op !== 'add' && !Object.hasOwn(obj, last)) throw new PatchError(`nothing at ${path}`, i);
      if (op.op === 'remove') delete obj[last];
      else if (op.op === 'test') {
        if (JSON.stringify(obj[last]) !== JSON.stringify(op.value)) throw new PatchError(`test failed at ${path}`, i);
      } else {
        // A data property, whatever the key: plain assignment would run a setter if one were
        // ever inherited (the prototype keys are refused above; this keeps it true regardless).
        Object.defineProperty(obj, last, { value: structuredClone(op.value), writable: true, enumerable: true, configurable: true });
      }
    } else throw new PatchError(`nothing at ${path}`, i);
  });
  return root.v as T;
}

/** The member `token` of `parent`: an own property or an array element, never an inherited one. */
function child(parent: unknown, token: string, path: string, i: number): unknown {
  if (Array.isArray(parent)) {
    const v = ARRAY_INDEX.test(token) ? parent[Number(token)] : undefined;
    if (v === undefined) throw new PatchError(`no index ${token} in ${path}`, i);
    return v;
  }
  if (typeof parent === 'object' && parent !== null && Object.hasOwn(parent, token)) return (parent as Record<string, unknown>)[token];
  throw new PatchError(`nothing at ${path}`, i);
}
