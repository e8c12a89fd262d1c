// Writes the README's verdict matrix (scenario × conformance target) from the last runs'
// reports/conform/<target>/results.json — which harness/test/conform-targets.test.ts writes, or
// `mock-entra conform examples/targets/<target>/target.yaml --out reports/conform/<target>`:
//   npm run docs:verdicts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MATRIX_TARGETS, readTargetResults, verdictMatrix, withVerdictMatrix } from '../harness/src/conform/verdict-matrix.ts';

const root = join(import.meta.dirname, '..');
try {
  const runs = MATRIX_TARGETS.map((t) => readTargetResults(join(root, 'reports', 'conform', t, 'results.json')));
  const readme = join(root, 'README.md');
  const before = readFileSync(readme, 'utf8');
  const after = withVerdictMatrix(before, verdictMatrix(runs));
  if (after !== before) writeFileSync(readme, after);
  console.log(
    `README.md: verdict matrix ${after === before ? 'unchanged' : 'updated'} (${runs.map((r) => `${r.target.name}: ${r.verdicts.length}`).join(', ')})`,
  );
} catch (e) {
  console.error(`docs:verdicts: ${(e as Error).message}`);
  console.error('Run the four targets first: npx vitest run harness/test/conform-targets.test.ts');
  process.exit(2);
}
