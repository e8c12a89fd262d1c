import { mkdir, readFile, writeFile, link, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Where the mock keeps what is generated once per machine (signing keys, the CA, TLS leaves):
 * $MOCK_ENTRA_STATE_DIR, else $XDG_STATE_HOME/mock-entra, else ~/.local/state/mock-entra.
 * Never inside the package: users trust this CA, so its private key must stay theirs.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MOCK_ENTRA_STATE_DIR) return env.MOCK_ENTRA_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'mock-entra');
}

/**
 * Reads `name` from the state dir, or creates it with `make()`. Safe when several processes
 * (parallel test workers) start at once on a fresh machine: the first complete file wins, and
 * every process ends up with the same content.
 */
export async function readOrCreate(dir: string, name: string, make: () => Promise<string>): Promise<string> {
  const path = join(dir, name);
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const content = await make();
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  try {
    await link(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return readFile(path, 'utf8');
}
