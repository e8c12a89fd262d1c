// Prints the README's AADSTS table from the catalog: npm run docs:errors
import { CATALOG, CATALOG_CODES } from '../mock-idp/src/errors/catalog.ts';
for (const c of CATALOG_CODES) {
  const e = CATALOG[c];
  console.log(
    `| ${c} | \`${e.error}\`${'redirectError' in e && e.redirectError ? ` (redirect: \`${e.redirectError}\`)` : ''} | ${e.status} | ${e.surfaces.join(', ')} | ${e.trigger} |`,
  );
}
