import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README's console screenshots exist and are PNG images. They are made by
 * `npm run docs:screenshots` (scripts/screenshots.mts), never by a test: a test that wrote
 * tracked files would leave every clone dirty.
 */

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('README, Console', () => {
  const images = [...README.matchAll(/!\[[^\]]*\]\((docs\/images\/console-[\w-]+\.png)\)/g)].map((m) => m[1]!);

  it('shows the three main views', () => {
    expect(images).toEqual(['docs/images/console-tenants.png', 'docs/images/console-tenant.png', 'docs/images/console-log.png']);
  });

  it.each(images)('%s exists and is a PNG', (image) => {
    const bytes = readFileSync(join(ROOT, image));
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bytes.length).toBeGreaterThan(10_000);
  });
});
