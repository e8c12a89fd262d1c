import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { CATALOG, CATALOG_CODES } from '../../src/errors/catalog.js';
import { CONTOSO } from '../../src/contoso.js';
import { parse as parseYaml } from 'yaml';
import { scaleExampleSource } from '../../src/directory/generate-spec.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(CATALOG_CODES)('documents AADSTS%s as the catalog says (regenerate with npm run docs:errors)', (code) => {
    const e = CATALOG[code];
    const row = readme.split('\n').find((l) => l.startsWith(`| ${code} |`));
    expect(row).toBeDefined();
    expect(row).toContain(`\`${e.error}\``);
    expect(row).toContain(`| ${e.status} |`);
    expect(row).toContain(e.surfaces.join(', '));
  });

  it('documents the default tenant’s public contract', () => {
    for (const v of [
      CONTOSO.tenantId,
      CONTOSO.bridge.appId,
      CONTOSO.bridge.secret,
      CONTOSO.bridge.expiredSecret,
      CONTOSO.ingestion.secret,
      CONTOSO.openMetadataUi.apiUri,
      ...Object.values(CONTOSO.groups),
      ...Object.values(CONTOSO.users).map((u) => u.id),
    ]) {
      expect(readme).toContain(v);
    }
  });
});

describe('README: Tenants at scale', () => {
  it('shows the tenant the benchmark and the scale tests use (directory/generate-spec.ts)', () => {
    const block = readme
      .split('```yaml')
      .map((b) => b.split('```')[0]!)
      .find((b) => b.includes('Contoso at scale'));
    expect(block).toBeDefined();
    expect(parseYaml(block!)).toEqual(scaleExampleSource());
  });
});
