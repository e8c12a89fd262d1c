import type { FixtureDocument } from './model.js';

/**
 * A fixture document as JSON, one user or group per line: readable and diffable, a fifth smaller
 * than indented JSON, and parsed as fast as JSON gets (a 100,000-user tenant is ~75 MB of it).
 * `JSON.parse(fixtureToJson(doc))` deep-equals `doc`.
 *
 * @example
 * await writeFile('big.json', fixtureToJson(await resolveFixture(source)));
 */
export function fixtureToJson(doc: FixtureDocument): string {
  const lines: string[] = ['{'];
  if (doc.$schema !== undefined) lines.push(`  "$schema": ${JSON.stringify(doc.$schema)},`);
  lines.push('  "tenants": [');
  doc.tenants.forEach((tenant, i) => {
    const { users, groups, ...rest } = tenant;
    const head = JSON.stringify(rest, null, 2)
      .replace(/\n}$/, '')
      .split('\n')
      .map((line) => `    ${line}`);
    const lists: string[] = [];
    for (const [name, items] of [
      ['users', users],
      ['groups', groups],
    ] as const) {
      if (!items) continue;
      lists.push(`      ${JSON.stringify(name)}: [\n${items.map((item) => `        ${JSON.stringify(item)}`).join(',\n')}\n      ]`);
    }
    const body = lists.length > 0 ? `${head.join('\n')},\n${lists.join(',\n')}` : head.join('\n');
    lines.push(`${body}\n    }${i < doc.tenants.length - 1 ? ',' : ''}`);
  });
  lines.push('  ]', '}', '');
  return lines.join('\n');
}
