// The `mock-entra` command as one bundle (dist/cli/main.js + chunks), built after tsc's output.
//
// Why: a start of the CLI used to import ~95 of mock-entra's own ES modules one by one — each a
// file to resolve, read, compile and link — which cost about as much as the rest of a start
// (issue 5: cold start ≤ 1.25× a bare Fastify app). Bundled, they are a few files. Packages stay
// external (node_modules is resolved as usual), and what the CLI imports on demand (the fixture
// reader, the generator, the fixtures and scenarios commands) stays in chunks of its own.
//
// The library entry (dist/mock-idp/src/index.js) stays tsc's module-per-file output.
//
//   node scripts/bundle-cli.mjs                 → dist/cli/ (npm run build does this)
//   node scripts/bundle-cli.mjs --outdir DIR    → DIR (cli/test/bundle.test.ts); the bundle finds the
//                                                 package two levels up (support/package-root.ts)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = values.outdir ? resolve(values.outdir) : join(root, 'dist', 'cli');

// The fixture cache (mock-idp/src/runtime/fixture-cache.ts) keys validated fixtures by the code
// that validated them; a bundle has no directory/ to read at run time, so the hash is made here.
const directory = join(root, 'mock-idp', 'src', 'directory');
const code = createHash('sha256');
for (const name of readdirSync(directory)
  .filter((n) => n.endsWith('.ts'))
  .sort())
  code.update(`\0code\0${name}\0`).update(readFileSync(join(directory, name)));

// tsc's per-file output of cli/ is replaced: only the bundle remains there.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'cli', 'main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  define: { MOCK_ENTRA_FIXTURE_CODE_HASH: JSON.stringify(code.digest('hex')) },
  logLevel: 'warning',
});
