import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustProblem, UntrustedStateError } from '../../src/keys/state-dir.js';
import { startMockEntra } from '../../src/server.js';
import { T } from '../support/mock-app.js';

/**
 * Issue 9, item 6: the state directory holds the keys that sign and seal tokens and the CA
 * users trust. One that others can write to (a 0777 directory with a planted all-zero
 * sealing-key.hex let a forged refresh token through) or that someone else owns is refused at
 * start, by startMockEntra and by the CLI, with a message naming the path, its mode and the fix.
 */
const isWindows = process.platform === 'win32';
const ZERO_KEY = '0'.repeat(64);
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mock-entra-state-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh directory under the test's own 0700 root, with this mode. */
async function stateDir(mode: number): Promise<string> {
  const dir = join(root, `state-${++n}`);
  await mkdir(dir);
  await chmod(dir, mode);
  return dir;
}

async function startRefused(options: Parameters<typeof startMockEntra>[0]): Promise<UntrustedStateError> {
  const outcome = await startMockEntra({ port: 0, tls: false, ...options }).then(
    async (m) => {
      await m.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(UntrustedStateError);
  return outcome as UntrustedStateError;
}

describe.skipIf(isWindows)('an untrusted state directory is refused at start', () => {
  it('a 0777 directory with a planted all-zero sealing key: startMockEntra rejects, naming the path, the mode and the fix', async () => {
    const dir = await stateDir(0o777);
    await writeFile(join(dir, 'sealing-key.hex'), ZERO_KEY, { mode: 0o600 });
    const e = await startRefused({ stateDir: dir });
    expect(e.path).toBe(dir);
    expect(e.message).toBe(
      `the state directory ${dir} is writable by group and others (mode 0777): whoever can write there can plant keys that forge tokens. Fix: chmod 700 ${dir} (and chown it to the user running mock-entra), or use another --state-dir / MOCK_ENTRA_STATE_DIR.`,
    );
  });

  it('a group-writable directory (0770) and an others-writable one with the sticky bit, like /tmp (1777)', async () => {
    const group = await stateDir(0o770);
    expect((await startRefused({ stateDir: group })).message).toContain(`${group} is writable by group (mode 0770)`);
    const sticky = await stateDir(0o1777);
    expect((await startRefused({ stateDir: sticky })).message).toContain(`${sticky} is writable by group and others (mode 1777)`);
  });

  it('a 0666 sealing-key.hex in a 0700 directory', async () => {
    const dir = await stateDir(0o700);
    const key = join(dir, 'sealing-key.hex');
    await writeFile(key, ZERO_KEY);
    await chmod(key, 0o666);
    const e = await startRefused({ stateDir: dir });
    expect(e.path).toBe(key);
    expect(e.message).toBe(
      `the key file ${key} is writable by group and others (mode 0666): whoever can write there can plant keys that forge tokens. Fix: chmod 600 ${key} (and chown it to the user running mock-entra), or use another --state-dir / MOCK_ENTRA_STATE_DIR.`,
    );
  });

  it('the CA and TLS files the same way: a group-writable ca.pem, a 0777 tls/ directory', async () => {
    const good = await stateDir(0o700);
    const first = await startMockEntra({ port: 0, tls: true, stateDir: good });
    await first.close();
    await chmod(join(good, 'ca.pem'), 0o660);
    expect((await startRefused({ stateDir: good, tls: true })).path).toBe(join(good, 'ca.pem'));
    await chmod(join(good, 'ca.pem'), 0o600);
    await chmod(join(good, 'tls'), 0o777);
    expect((await startRefused({ stateDir: good, tls: true })).path).toBe(join(good, 'tls'));
  });

  it.skipIf(process.getuid?.() !== 0)('a key file owned by another user (not root): refused, naming the owner', async () => {
    const dir = await stateDir(0o700);
    const key = join(dir, 'sealing-key.hex');
    await writeFile(key, ZERO_KEY, { mode: 0o600 });
    await chown(key, 4242, 4242);
    const e = await startRefused({ stateDir: dir });
    expect(e.message).toBe(
      `the key file ${key} is owned by uid 4242, neither the user running mock-entra (uid 0) nor root (mode 0600): its owner can plant keys that forge tokens. Fix: chown 0 ${key} and chmod 600 ${key}, or use another --state-dir / MOCK_ENTRA_STATE_DIR.`,
    );
  });

  it('the CLI `serve` exits 1 with the message', async () => {
    const dir = await stateDir(0o777);
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'serve', '--http', '--port', '0', '--state-dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(out).toBe(
      `mock-entra: not starting — the state directory ${dir} is writable by group and others (mode 0777): whoever can write there can plant keys that forge tokens. Fix: chmod 700 ${dir} (and chown it to the user running mock-entra), or use another --state-dir / MOCK_ENTRA_STATE_DIR.\n`,
    );
  }, 60_000);
});

describe.skipIf(isWindows)('a trusted state directory', () => {
  it('a fresh one is created 0700 with 0600 files, and serves', async () => {
    const dir = join(root, 'fresh', 'mock-entra');
    const mock = await startMockEntra({ port: 0, tls: true, stateDir: dir });
    try {
      expect((await mock.app.inject(`/${T}/v2.0/.well-known/openid-configuration`)).statusCode).toBe(200);
    } finally {
      await mock.close();
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of ['sealing-key.hex', 'signing-key.pem', 'ca.pem', 'ca-cert.pem']) expect((await stat(join(dir, name))).mode & 0o777, name).toBe(0o600);
    expect((await stat(join(dir, 'tls'))).mode & 0o777).toBe(0o700);
  });

  it('an existing 0755 directory (readable, writable only by its owner) starts', async () => {
    const dir = await stateDir(0o755);
    const mock = await startMockEntra({ port: 0, tls: false, stateDir: dir });
    await mock.close();
  });
});

describe('the ownership rule (uid injected: this suite may run as root)', () => {
  const at = (mode: number, uid: number) => ({ mode: 0o40000 | mode, uid });
  it('takes the running user’s and root’s, refuses anyone else’s', () => {
    expect(trustProblem('directory', '/s', at(0o700, 1000), 1000)).toBeUndefined();
    expect(trustProblem('directory', '/s', at(0o700, 0), 1000)).toBeUndefined();
    expect(trustProblem('directory', '/s', at(0o700, 1001), 1000)).toBe(
      'the state directory /s is owned by uid 1001, neither the user running mock-entra (uid 1000) nor root (mode 0700): its owner can plant keys that forge tokens. Fix: chown 1000 /s and chmod 700 /s, or use another --state-dir / MOCK_ENTRA_STATE_DIR.',
    );
  });
  it('checks nothing where there are no uids (Windows)', () => {
    expect(trustProblem('file', 'C:\\s\\k', at(0o666, 1001), undefined)).toBeUndefined();
  });
});
