import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { CATALOG, CATALOG_CODES } from '../../src/errors/catalog.js';
import { CONTOSO } from '../../src/contoso.js';

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
    for (const v of [CONTOSO.tenantId, CONTOSO.bridge.appId, CONTOSO.bridge.secret, CONTOSO.bridge.expiredSecret, CONTOSO.ingestion.secret, CONTOSO.openMetadataUi.apiUri, ...Object.values(CONTOSO.groups), ...Object.values(CONTOSO.users).map((u) => u.id)]) {
      expect(readme).toContain(v);
    }
  });
});
