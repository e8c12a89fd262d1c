import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Where the Chromium is that drives the mock's sign-in pages (DESIGN.md §5): $MOCK_ENTRA_CHROMIUM,
 * else `chromium` (or `chromium-browser`) on PATH — Debian's package; undefined means "use
 * Playwright's own browser". Shared by the real-client tests and the harness's browser driver.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--headless=new',
] as const;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MOCK_ENTRA_CHROMIUM) return env.MOCK_ENTRA_CHROMIUM;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}
