import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root directory — where `fixtures/` and `scenarios/` are — found from this
 * module's own location in each layout the code runs in:
 *
 *   <root>/mock-idp/src/support/package-root.ts      sources (tsx, vitest)
 *   <root>/dist/mock-idp/src/support/package-root.js  tsc's build (the library entry)
 *   <root>/dist/cli/chunk-….js                        the CLI bundle (scripts/bundle-cli.mjs)
 *
 * One place for it: code that names a file of the package asks here instead of counting `../`
 * from wherever it happens to be compiled or bundled to.
 */
export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the package: `packagePath('fixtures', 'schema.json')`. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

function layoutOf(dir: string): 'bundle' | 'build' | 'sources' {
  const d = dir.split(sep).join('/');
  if (d.endsWith('/dist/cli')) return 'bundle';
  if (d.endsWith('/dist/mock-idp/src/support')) return 'build';
  return 'sources';
}

function packageRoot(dir: string): string {
  switch (layoutOf(dir)) {
    case 'bundle':
      return resolve(dir, '..', '..');
    case 'build':
      return resolve(dir, '..', '..', '..', '..');
    case 'sources':
      return resolve(dir, '..', '..', '..');
  }
}
