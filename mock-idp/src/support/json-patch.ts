/**
 * JSON Patch (RFC 6902): add, remove, replace, test — how tests change a tenant's fixture
 * ("expire this secret", "remove that redirect URI") without resending all of it.
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

const decode = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

export function applyPatch<T>(doc: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw new PatchError('a JSON Patch is an array of operations', 0);
  const root: { v: unknown } = { v: structuredClone(doc) };
  ops.forEach((raw, i) => {
    const op = raw as Partial<PatchOperation>;
    if (typeof op !== 'object' || op === null || typeof op.path !== 'string' || !['add', 'remove', 'replace', 'test'].includes(String(op.op))) {
      throw new PatchError('needs "op" (add, remove, replace, test) and "path"', i);
    }
    if (op.path !== '' && !op.path.startsWith('/')) throw new PatchError(`path "${op.path}" must start with "/"`, i);
    const tokens = op.path === '' ? [] : op.path.slice(1).split('/').map(decode);
    if (tokens.length === 0) {
      if (op.op === 'test') {
        if (JSON.stringify(root.v) !== JSON.stringify(op.value)) throw new PatchError('test failed at the root', i);
      } else if (op.op === 'remove') throw new PatchError('cannot remove the root', i);
      else root.v = structuredClone(op.value);
      return;
    }
    let parent: unknown = root.v;
    for (const t of tokens.slice(0, -1)) {
      parent = child(parent, t, op.path, i);
    }
    const last = tokens[tokens.length - 1]!;
    if (Array.isArray(parent)) {
      const idx = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length || (op.op !== 'add' && idx === parent.length)) throw new PatchError(`no index ${last} in ${op.path}`, i);
      if (op.op === 'add') parent.splice(idx, 0, structuredClone(op.value));
      else if (op.op === 'remove') parent.splice(idx, 1);
      else if (op.op === 'replace') parent[idx] = structuredClone(op.value);
      else if (JSON.stringify(parent[idx]) !== JSON.stringify(op.value)) throw new PatchError(`test failed at ${op.path}`, i);
    } else if (typeof parent === 'object' && parent !== null) {
      const obj = parent as Record<string, unknown>;
      if (op.op !== 'add' && !(last in obj)) throw new PatchError(`nothing at ${op.path}`, i);
      if (op.op === 'remove') delete obj[last];
      else if (op.op === 'test') {
        if (JSON.stringify(obj[last]) !== JSON.stringify(op.value)) throw new PatchError(`test failed at ${op.path}`, i);
      } else obj[last] = structuredClone(op.value);
    } else throw new PatchError(`nothing at ${op.path}`, i);
  });
  return root.v as T;
}

function child(parent: unknown, token: string, path: string, i: number): unknown {
  if (Array.isArray(parent)) {
    const v = parent[Number(token)];
    if (v === undefined) throw new PatchError(`no index ${token} in ${path}`, i);
    return v;
  }
  if (typeof parent === 'object' && parent !== null && token in parent) return (parent as Record<string, unknown>)[token];
  throw new PatchError(`nothing at ${path}`, i);
}
