import { mkdir, open, stat, writeFile, link, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
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
 * The state directory is trusted as the mock's own: whoever can write a key into it can forge
 * tokens (a planted all-zero sealing-key.hex let a forged refresh token through), and whoever can
 * replace the CA can intercept what trusts it. So the mock refuses to start when the directory, or
 * a file it reads from it, is writable by group or others, or owned by neither the user running
 * the mock nor root — the rule OpenSSH applies to ~/.ssh (StrictModes,
 * https://man.openbsd.org/sshd_config#StrictModes). It creates everything 0700 / 0600 itself.
 * Not checked on Windows, whose ACLs have no such mode bits.
 */
export class UntrustedStateError extends Error {
  override readonly name = 'UntrustedStateError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the check looks at: the mode bits and owner of a directory or file. */
export interface OwnerAndMode {
  mode: number;
  uid: number;
}

/**
 * Why `path` may not be trusted, as the whole message of the refusal, or undefined when it may.
 * `uid`: the user running the mock (undefined where there are no uids: Windows).
 */
export function trustProblem(kind: 'directory' | 'file', path: string, st: OwnerAndMode, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined;
  const what = kind === 'directory' ? `the state directory ${path}` : `the key file ${path}`;
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  const chmod = kind === 'directory' ? 'chmod 700' : 'chmod 600';
  const writers = [...(st.mode & 0o020 ? ['group'] : []), ...(st.mode & 0o002 ? ['others'] : [])];
  if (writers.length > 0) {
    return `${what} is writable by ${writers.join(' and ')} (mode ${mode}): whoever can write there can plant keys that forge tokens. Fix: ${chmod} ${path} (and chown it to the user running mock-entra), or use another --state-dir / MOCK_ENTRA_STATE_DIR.`;
  }
  if (st.uid !== uid && st.uid !== 0) {
    return `${what} is owned by uid ${st.uid}, neither the user running mock-entra (uid ${uid}) nor root (mode ${mode}): its owner can plant keys that forge tokens. Fix: chown ${uid} ${path} and ${chmod} ${path}, or use another --state-dir / MOCK_ENTRA_STATE_DIR.`;
  }
  return undefined;
}

const currentUid = (): number | undefined => (process.platform === 'win32' ? undefined : process.getuid?.());

function assertTrusted(kind: 'directory' | 'file', path: string, st: OwnerAndMode): void {
  const problem = trustProblem(kind, path, st, currentUid());
  if (problem) throw new UntrustedStateError(path, problem);
}

/** Refuses an untrusted state directory; a missing one is fine (the mock creates it 0700). */
export async function assertTrustedDir(dir: string): Promise<void> {
  try {
    assertTrusted('directory', dir, await stat(dir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * The text of a file in the state directory, after checking the directory and the file (the file
 * through the handle it is read from, so what is checked is what is read); undefined when the file
 * does not exist. Throws UntrustedStateError when either may not be trusted.
 */
export async function readTrustedFile(path: string): Promise<string | undefined> {
  await assertTrustedDir(dirname(path));
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    assertTrusted('file', path, await handle.stat());
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Reads `name` from the state dir, or creates it with `make()`. Safe when several processes
 * (parallel test workers) start at once on a fresh machine: the first complete file wins, and
 * every process ends up with the same content. Refuses (UntrustedStateError) a directory or file
 * others could have written.
 */
export async function readOrCreate(dir: string, name: string, make: () => Promise<string>): Promise<string> {
  const path = join(dir, name);
  const existing = await readTrustedFile(path);
  if (existing !== undefined) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir takes a directory someone else made in the meantime without a word: checked again.
  await assertTrustedDir(dir);
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
  const written = await readTrustedFile(path);
  if (written === undefined) throw new Error(`${path} disappeared while it was being created`);
  return written;
}
