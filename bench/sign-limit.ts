/**
 * The machine's RS256 signing limit: node:crypto signing with a 2048-bit RSA key in a tight loop
 * on every core at once — one worker_thread per core — for a fixed duration; tokens per second,
 * summed over the workers. Run as its own process; prints one JSON line.
 *
 *   node bench/.build/sign-limit.js <seconds> [workers]
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface SignLimitResult {
  /** Signatures per second, all workers together. */
  rate: number;
  /** CPU time (user + system, all threads) per signature, ms: what one signature costs, whatever else runs on the machine. */
  cpuMsPerOp: number;
  perWorker: number[];
  workers: number;
  seconds: number;
}

/** A signing input the size of an app-only access token's header and payload (~1 KB). */
const INPUT = Buffer.from(
  `${Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: 'x'.repeat(27), kid: 'x'.repeat(27) })).toString('base64url')}.${Buffer.from(
    JSON.stringify({
      aud: 'api://00000000-0000-0000-0000-000000000000',
      iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/',
      iat: 1,
      nbf: 1,
      exp: 2,
      aio: 'a'.repeat(80),
      appid: 'x'.repeat(36),
      appidacr: '1',
      idp: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/',
      idtyp: 'app',
      oid: 'x'.repeat(36),
      rh: 'r'.repeat(64),
      sub: 'x'.repeat(36),
      tid: 'x'.repeat(36),
      uti: 'u'.repeat(22),
      ver: '1.0',
    }),
  ).toString('base64url')}`,
);

function loop(key: KeyObject, ms: number): number {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    sign('sha256', INPUT, key);
    n++;
  }
  return n;
}

if (!isMainThread) {
  const { pem, seconds } = workerData as { pem: string; seconds: number };
  const key = createPrivateKey(pem);
  loop(key, 300); // warm-up
  parentPort!.once('message', () => parentPort!.postMessage(loop(key, seconds * 1000) / seconds));
  parentPort!.postMessage('ready');
} else {
  const seconds = Number(process.argv[2] ?? 5);
  const n = Number(process.argv[3] ?? availableParallelism());
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const workers = Array.from({ length: n }, () => new Worker(new URL(import.meta.url), { workerData: { pem, seconds } }));
  await Promise.all(workers.map((w) => new Promise<void>((r) => w.once('message', () => r()))));
  // Start together, so every core signs at once.
  const cpuBefore = process.cpuUsage();
  const rates = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((r) => {
          w.once('message', r);
          w.postMessage('go');
        }),
    ),
  );
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all(workers.map((w) => w.terminate()));
  const rate = rates.reduce((a, b) => a + b, 0);
  const result: SignLimitResult = {
    rate,
    cpuMsPerOp: (cpu.user + cpu.system) / 1000 / (rate * seconds),
    perWorker: rates.map(Math.round),
    workers: n,
    seconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
