import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** One GET; the status, or 0 when nothing answers yet. Never throws. */
export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', () => resolve(0));
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Server {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  base: string;
  /** Stops the process and waits for its exit. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  port: number;
  /** URL polled until it answers 200. */
  readyUrl: string;
  env?: NodeJS.ProcessEnv;
  /** Scheme of `base` (the ready URL may differ, e.g. HTTPS servers polled over HTTPS by the caller). */
  base?: string;
  timeoutMs?: number;
}

/** Spawns a server process and resolves once `readyUrl` answers 200. */
export async function spawnServer(o: SpawnOptions): Promise<Server> {
  const child = spawn(o.command, o.args, { env: { ...process.env, ...o.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${o.name} exited (${child.exitCode}) before answering:\n${stderr}`);
    if ((await httpStatus(o.readyUrl)) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${o.name} did not answer ${o.readyUrl} in time:\n${stderr}`);
    }
    await sleep(20);
  }
  return {
    name: o.name,
    child,
    pid: child.pid!,
    port: o.port,
    base: o.base ?? `http://127.0.0.1:${o.port}`,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system, ms) of a process, or of one of its threads (`tid`), from /proc. */
export function cpuMs(pid: number, tid?: number): number {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) — utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

/**
 * Time a process's threads have spent on a CPU so far (ms, nanosecond resolution), from
 * /proc/<pid>/task/<tid>/schedstat — for spans too short for {@link cpuMs}'s 10 ms ticks (a
 * start). Threads that ended are not counted. NaN where /proc is missing.
 */
export function cpuRunMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

/** Runs a node script as a child and returns what it printed as JSON on its last stdout line. */
export function runJsonChild<T>(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last) as T);
      } catch (e) {
        reject(new Error(`${script} ${args.join(' ')} failed (${(e as Error).message}):\n${err}\n${out.slice(-2000)}`));
      }
    });
  });
}
