/**
 * What a control-API body may be, checked before any route reads it: nested at most
 * {@link MAX_BODY_DEPTH} levels, and without a `__proto__` key.
 *
 * Depth: JSON.parse takes 100,000 nested arrays, but the fixture validator, structuredClone and
 * JSON.stringify recurse, and their stack overflow answered a 500. Walked here with an explicit
 * stack, so the check itself cannot overflow. A fixture nests about 7 levels deep
 * (tenants → applications → api → oauth2PermissionScopes → …), a JSON Patch value no deeper.
 *
 * `__proto__`: JSON.parse makes it an own property (harmless), but any later `Object.assign` or
 * `obj[key] = value` copy turns it into a prototype. No fixture field has that name, so it is
 * refused with its path rather than trusted to every copy made later.
 */
export const MAX_BODY_DEPTH = 64;

/** A value on the walk's stack; its path is spelled out only for a refusal. */
interface Visit {
  value: unknown;
  depth: number;
  parent: Visit | undefined;
  key: string;
}

/** Why the body is refused (a sentence naming where, as a JSON Pointer), or undefined when it is fine. */
export function controlBodyProblem(body: unknown): string | undefined {
  const stack: Visit[] = [{ value: body, depth: 0, parent: undefined, key: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth } = item;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH)
      return `The body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels (at ${pointer(item)}); the test-control API takes at most ${MAX_BODY_DEPTH}.`;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], depth: depth + 1, parent: item, key: String(i) });
      continue;
    }
    for (const key of Object.keys(value)) {
      const visit: Visit = { value: (value as Record<string, unknown>)[key], depth: depth + 1, parent: item, key };
      if (key === '__proto__') return `The body has a "__proto__" key at ${pointer(visit)}: no fixture or control field has that name.`;
      stack.push(visit);
    }
  }
  return undefined;
}

/** RFC 6901 pointer to a visit (at most ~300 characters: a refusal names where, not all of it). */
function pointer(visit: Visit): string {
  const keys: string[] = [];
  for (let v: Visit | undefined = visit; v?.parent !== undefined; v = v.parent) keys.push(v.key.replace(/~/g, '~0').replace(/\//g, '~1'));
  const full = `/${keys.reverse().join('/')}`;
  return full.length > 300 ? `${full.slice(0, 300)}…` : full;
}
