import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The Chromium that drives the mock's sign-in pages in tests: $MOCK_ENTRA_CHROMIUM, else
 * `chromium` (or `chromium-browser`) on PATH — Debian's package; undefined means "use
 * Playwright's own browser". Shared by the real-client tests and the harness's browser driver.
 */

/**
 * Arguments for a Chromium in a container or CI: no sandbox (it runs as root there), no GPU, and
 * none of the background traffic (updates, sync, first-run) that would reach past the mock.
 *
 * @example
 * const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS] });
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

/** The Chromium to launch, or undefined for Playwright's own. */
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
