import type { FixtureDocument } from './model.js';

/** Users or groups per chunk of {@link fixtureJsonChunks}: under a megabyte of JSON. */
const ITEMS_PER_CHUNK = 1_000;

/**
 * A fixture document as JSON, one user or group per line: readable and diffable, a fifth smaller
 * than indented JSON, and parsed as fast as JSON gets (a 100,000-user tenant is ~75 MB of it).
 * `JSON.parse(fixtureToJson(doc))` deep-equals `doc`.
 *
 * @example
 * await writeFile('big.json', fixtureToJson(await resolveFixture(source)));
 */
export function fixtureToJson(doc: FixtureDocument): string {
  return [...fixtureJsonChunks(doc)].join('');
}

/**
 * {@link fixtureToJson}'s text in pieces of at most {@link ITEMS_PER_CHUNK} users or groups, so
 * that a server can stream a large tenant and answer other requests between the pieces.
 */
export function* fixtureJsonChunks(doc: FixtureDocument): Generator<string> {
  yield '{\n';
  if (doc.$schema !== undefined) yield `  "$schema": ${JSON.stringify(doc.$schema)},\n`;
  yield '  "tenants": [\n';
  for (const [i, tenant] of doc.tenants.entries()) {
    const { users, groups, ...rest } = tenant;
    yield JSON.stringify(rest, null, 2)
      .replace(/\n}$/, '')
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
    for (const [name, items] of [
      ['users', users],
      ['groups', groups],
    ] as const) {
      if (!items) continue;
      yield `,\n      ${JSON.stringify(name)}: [\n`;
      for (let from = 0; from < items.length; from += ITEMS_PER_CHUNK) {
        const lines = items.slice(from, from + ITEMS_PER_CHUNK).map((item) => `        ${JSON.stringify(item)}`);
        yield (from > 0 ? ',\n' : '') + lines.join(',\n');
      }
      yield '\n      ]';
    }
    yield `\n    }${i < doc.tenants.length - 1 ? ',' : ''}\n`;
  }
  yield '  ]\n}\n';
}
