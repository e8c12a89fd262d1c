#!/usr/bin/env node
// The project's layering (DESIGN.md §1), checked in npm test:
//   1. rooms depend one way: cli → harness → mock-idp, scenarios → harness; fixtures/ holds no code;
//   2. a room imports another room through that room's public entries only (mock-idp/src/index.ts,
//      mock-idp/src/testing.ts, mock-idp/src/fixtures.ts, harness/src/index.ts), never a file
//      inside it — the package's `exports` (mock-entra, mock-entra/testing, mock-entra/fixtures,
//      mock-entra/harness) are those entries;
//   3. no cycle between the folders of mock-idp/src (graph/ → routes/ → graph/ …), type-only
//      imports included — file-level cycles are madge's (npm run check:cycles).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const rules = [
  { room: 'mock-idp', forbidden: ['harness', 'cli', 'scenarios'] },
  { room: 'harness', forbidden: ['cli', 'scenarios'] },
  { room: 'scenarios', forbidden: ['cli', 'mock-idp'] },
  { room: 'cli', forbidden: ['scenarios'] },
];
/** The files another room may import: each room's public entries. */
const ENTRIES = new Set(['mock-idp/src/index.ts', 'mock-idp/src/testing.ts', 'mock-idp/src/fixtures.ts', 'harness/src/index.ts']);
/** Tests and benchmarks look inside what they test: rule 2 holds for shipped code only. */
const isShipped = (rel) => !rel.split('/').includes('test');

function walk(dir, out = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of names) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|js|mjs)$/.test(e)) out.push(p);
  }
  return out;
}

/** Relative imports of a file (static, dynamic, re-exports, type-only), as repository paths of .ts sources. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
    out.push({
      spec: m[1],
      target: relative(root, join(dirname(file), m[1]))
        .split(sep)
        .join('/')
        .replace(/\.js$/, '.ts'),
    });
  }
  return out;
}

const problems = [];
for (const { room, forbidden } of rules) {
  for (const file of walk(join(root, room))) {
    const rel = relative(root, file).split(sep).join('/');
    for (const { spec, target } of importsOf(file)) {
      const targetRoom = target.split('/')[0];
      if (forbidden.includes(targetRoom)) problems.push(`${rel} imports ${spec} (${room} must not depend on ${targetRoom})`);
      else if (targetRoom !== room && ['mock-idp', 'harness'].includes(targetRoom) && isShipped(rel) && room !== 'scenarios' && !ENTRIES.has(target)) {
        problems.push(
          `${rel} imports ${spec}: another room is imported through its public entry (${[...ENTRIES].filter((e) => e.startsWith(targetRoom)).join(' or ')})`,
        );
      }
    }
  }
}
for (const file of walk(join(root, 'fixtures'))) problems.push(`${relative(root, file)}: fixtures/ holds data only`);

// Rule 3: folders of mock-idp/src as nodes (a file directly in src/ is a node of its own).
const src = 'mock-idp/src/';
const nodeOf = (path) => {
  const rest = path.slice(src.length).split('/');
  return rest.length === 1 ? rest[0] : `${rest[0]}/`;
};
const edges = new Map();
for (const file of walk(join(root, src))) {
  const rel = relative(root, file).split(sep).join('/');
  const from = nodeOf(rel);
  for (const { target } of importsOf(file)) {
    if (!target.startsWith(src)) continue;
    const to = nodeOf(target);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${rel} → ${target}`);
  }
}
// Tarjan's strongly connected components: any component of more than one node is a cycle.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function connect(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) {
      const inside = new Set(component);
      const via = component.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([, why]) => why));
      problems.push(`folders of mock-idp/src import each other: ${component.sort().join(', ')}\n      ${via.join('\n      ')}`);
    }
  }
}
for (const v of edges.keys()) if (!idx.has(v)) connect(v);

if (problems.length > 0) {
  console.error(`layering: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layering: ok');
