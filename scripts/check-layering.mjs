#!/usr/bin/env node
// DESIGN.md §1: cli → harness → mock-idp, scenarios → harness, one way only. mock-idp must never
// import harness or cli; harness never cli; fixtures/ holds no code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const rules = [
  { room: 'mock-idp', forbidden: ['harness', 'cli', 'scenarios'] },
  { room: 'harness', forbidden: ['cli', 'scenarios'] },
  { room: 'scenarios', forbidden: ['cli', 'mock-idp'] },
];
const problems = [];
function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|js|mjs)$/.test(e)) out.push(p);
  }
  return out;
}
for (const { room, forbidden } of rules) {
  for (const file of walk(join(root, room))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
      const target = relative(root, join(file, '..', m[1])).split(sep)[0];
      if (forbidden.includes(target)) problems.push(`${relative(root, file)} imports ${m[1]} (${room} must not depend on ${target})`);
    }
  }
}
for (const file of walk(join(root, 'fixtures'))) problems.push(`${relative(root, file)}: fixtures/ holds data only`);
if (problems.length > 0) {
  console.error(`layering: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layering: ok');
