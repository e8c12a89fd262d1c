import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { CATALOG, CATALOG_CODES } from '../../src/errors/catalog.js';
import { CONTOSO } from '../../src/contoso.js';
import { parse as parseYaml } from 'yaml';
import { scaleExampleSource } from '../../src/directory/generate-spec.js';
import { OPTIONS, optionsTable, serveOptionsHelp, type OptionName } from '../../src/config/options.js';

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

describe('README: Options', () => {
  it('holds the table the option declarations make (regenerate with npm run docs:options)', () => {
    const section = readme.split('\n### Options\n')[1]!.split('\n#')[0]!;
    const table = section
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .join('\n');
    expect(table).toBe(optionsTable());
  });

  it('mock-entra --help lists the same options, generated from the same declarations', () => {
    const help = execFileSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', '--help'], { encoding: 'utf8' });
    expect(help).toContain(serveOptionsHelp());
    for (const name of Object.keys(OPTIONS) as OptionName[]) {
      const o = OPTIONS[name];
      if (o.flag === undefined) continue;
      expect(help).toContain(`--${o.flag}`);
      expect(help).toContain(o.env);
      expect(readme).toContain(`\`${o.env}`);
    }
  }, 30_000);
});
