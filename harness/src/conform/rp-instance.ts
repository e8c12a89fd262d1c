import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TargetCommand, TargetDefinition } from './target.js';
import { substituteDeep, type TargetVariables } from './variables.js';

/**
 * The relying party under test, running: started by the harness for one scenario (managed), or
 * already running (attached, optionally restarted by its hook). The run context holds it in the
 * bridge's place; the judge reads whether its process died and what it printed.
 */

export type TargetMode = 'managed' | 'attached';

export interface RpInstance {
  readonly name: string;
  readonly mode: TargetMode;
  /** The target with every `${VAR}` replaced. */
  readonly target: TargetDefinition;
  /** Its base URL (TARGET_URL). */
  readonly url: string;
  readonly vars: TargetVariables;
  /** Managed: how the app's process ended, if it did while it should have been running. */
  exited(): string | undefined;
  /** The last of what the app (or the restart hook) printed. */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 32_000;

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** A fresh RUN_DIR, with the mock's CA written into it when the mock is HTTPS. */
export function makeRunDir(caPem: string | undefined): { dir: string; caFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mock-entra-conform-'));
  let caFile = '';
  if (caPem) {
    caFile = join(dir, 'mock-entra-ca.pem');
    writeFileSync(caFile, caPem);
  }
  return { dir, caFile };
}

function spawnCommand(command: TargetCommand, cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  // detached: the command gets a process group of its own, so stopping it stops what a shell started too.
  const options: SpawnOptions = { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] };
  if (typeof command === 'string') return spawn('/bin/sh', ['-c', command], options);
  const [file, ...args] = command;
  return spawn(file ?? '', args, options);
}

function collect(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    if (text.length > OUTPUT_LIMIT * 2) text = text.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text.slice(-OUTPUT_LIMIT);
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code ?? '?'}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the app answers: `ready.path` with a status < 500, else a TCP connect to the url's port. */
async function waitReady(t: TargetDefinition, url: string, gone: () => string | undefined, output: () => string): Promise<void> {
  const timeoutMs = (t.ready?.timeoutSeconds ?? 30) * 1000;
  const deadline = Date.now() + timeoutMs;
  const probeUrl = t.ready?.path ? new URL(t.ready.path, url).href : undefined;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const exit = gone();
    if (exit) throw new Error(`the app ${exit} before it was ready${tail(output())}`);
    if (probeUrl) {
      try {
        const r = await fetch(probeUrl, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
        await r.body?.cancel();
        if (r.status < 500) return;
        last = `${probeUrl} answered HTTP ${r.status}`;
      } catch (e) {
        last = `${probeUrl}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`;
      }
    } else {
      const u = new URL(url);
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      const ok = await new Promise<boolean>((done) => {
        const socket = connect({ host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname, port }, () => {
          socket.end();
          done(true);
        });
        socket.once('error', () => done(false));
      });
      if (ok) return;
      last = `nothing listens on port ${port}`;
    }
    await sleep(150);
  }
  throw new Error(`the app was not ready within ${timeoutMs / 1000} s (${last})${tail(output())}`);
}

const tail = (text: string): string => (text.trim() ? `; its output ends: ${text.trim().split('\n').slice(-8).join(' | ')}` : '');

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const ended = new Promise<void>((done) => child.once('exit', () => done()));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      child.kill(s);
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await ended;
  clearTimeout(timer);
}

/** Starts a managed target for one scenario: its command with the tenant's variables, on `vars.PORT`. */
export async function startManaged(raw: TargetDefinition, targetDir: string, vars: TargetVariables): Promise<RpInstance> {
  const managed = raw.managed;
  if (!managed) throw new Error(`target ${raw.name} has no \`managed\` section`);
  const target = substituteDeep(raw, vars);
  const m = target.managed!;
  const cwd = resolve(targetDir, m.cwd ?? '.');
  const env = { ...process.env, ...vars, ...(m.env ?? {}) };
  const child = spawnCommand(m.command, cwd, env);
  const output = collect(child);
  let exit: string | undefined;
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) exit = describeExit(code, signal);
  });
  child.once('error', (e) => {
    exit = `could not be started (${(e as NodeJS.ErrnoException).code ?? e.message}: ${JSON.stringify(m.command)})`;
  });
  const instance: RpInstance = {
    name: raw.name,
    mode: 'managed',
    target,
    url: vars.TARGET_URL,
    vars,
    exited: () => exit,
    output,
    stop: async () => {
      stopping = true;
      await stopProcess(child);
      rmSync(vars.RUN_DIR, { recursive: true, force: true });
    },
  };
  try {
    await waitReady(target, instance.url, () => exit, output);
  } catch (e) {
    await instance.stop();
    throw e;
  }
  return instance;
}

/** An attached target: already running; restarted first (its hook) when the scenario needs a fresh relying party. */
export async function useAttached(raw: TargetDefinition, targetDir: string, vars: TargetVariables, restart: boolean): Promise<RpInstance> {
  const target = substituteDeep(raw, vars);
  let printed = '';
  if (restart) {
    const hook = target.attached?.restart;
    if (!hook) throw new Error(`target ${raw.name} has no restart hook`);
    const child = spawnCommand(hook.command, targetDir, { ...process.env, ...vars });
    const output = collect(child);
    const result = await new Promise<string | undefined>((done) => {
      child.once('error', (e) => done(`could not be started (${(e as NodeJS.ErrnoException).code ?? e.message})`));
      child.once('exit', (code, signal) => done(code === 0 ? undefined : describeExit(code, signal)));
    });
    printed = output();
    if (result) throw new Error(`the restart hook ${JSON.stringify(hook.command)} ${result}${tail(printed)}`);
  }
  await waitReady(
    target,
    vars.TARGET_URL,
    () => undefined,
    () => printed,
  );
  return {
    name: raw.name,
    mode: 'attached',
    target,
    url: vars.TARGET_URL,
    vars,
    exited: () => undefined,
    output: () => printed,
    stop: async () => {
      rmSync(vars.RUN_DIR, { recursive: true, force: true });
    },
  };
}
