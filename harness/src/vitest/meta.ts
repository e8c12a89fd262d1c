import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioReport } from '../runner.js';

/**
 * A scenario report as it travels to reporters (vitest task meta: JSON, so no PNG bytes):
 * screenshots are written to `<outDir>/screenshots/` and named by path.
 */
export interface ScenarioMeta extends Omit<ScenarioReport, 'screenshots'> {
  screenshots: Array<{ step: number; label: string; url: string; file: string }>;
}

export function toMeta(report: ScenarioReport, outDir: string): ScenarioMeta {
  const dir = join(outDir, 'screenshots');
  const screenshots: ScenarioMeta['screenshots'] = [];
  if (report.screenshots.length > 0) mkdirSync(dir, { recursive: true });
  report.screenshots.forEach((s, i) => {
    const file = join(dir, `${report.id}-${String(i + 1).padStart(2, '0')}-step${s.step + 1}-${s.label.replace(/[^a-z0-9-]+/gi, '-')}.png`);
    writeFileSync(file, Buffer.from(s.png, 'base64'));
    screenshots.push({ step: s.step, label: s.label, url: s.url, file });
  });
  return { ...report, screenshots };
}
