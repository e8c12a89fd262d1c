import type { EntitySet } from './entity-sets.js';
import type { Json } from './resources.js';

/**
 * One object as JSON text: `@odata.type` first when asked (items of directoryObject
 * collections), then the set's default properties or the `$select`ed ones in the order asked.
 * `limited`: the caller may not read this type, so only the type and id are real and every
 * other property is null (permissions-overview, "Limited information returned for
 * inaccessible member objects"); the object itself is then not read.
 */
export function objectJson<O>(
  set: EntitySet<O>,
  o: O | undefined,
  id: string,
  opts: { select?: readonly string[] | undefined; typed?: boolean; limited?: boolean } = {},
): string {
  const props: readonly string[] = opts.select ?? set.defaults;
  const out: Record<string, Json> = {};
  if (opts.typed) out['@odata.type'] = set.odataType;
  for (const p of props) {
    const canonical = set.propertyName(p);
    // A $select on a directoryObject collection may name another type's property: skipped here.
    if (!canonical) continue;
    if (opts.limited && canonical !== 'id') out[canonical] = null;
    else out[canonical] = o === undefined ? (canonical === 'id' ? id : null) : set.value(o, id, canonical);
  }
  return JSON.stringify(out);
}
