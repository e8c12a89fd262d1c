import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type * as fc from 'fast-check';

/**
 * The fuzzers' shared settings. Each property stops at its run count or its time limit,
 * whichever comes first; the seed is random per run and printed on failure. FUZZ_SEED=<n>
 * replays one run, FUZZ_RUNS=<n> scales the run counts and time limits (e.g. 10 for a long
 * local session).
 */

export const FUZZ_SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;

/** fast-check parameters for a property: `numRuns` runs or `seconds`, scaled by FUZZ_RUNS. */
export const fuzzOptions = (numRuns: number, seconds: number): fc.Parameters<unknown> => ({
  numRuns: Math.round(numRuns * FUZZ_SCALE),
  interruptAfterTimeLimit: seconds * 1000 * FUZZ_SCALE,
  markInterruptAsFailure: false,
  endOnFailure: true,
  ...(seed !== undefined ? { seed } : {}),
});

/** The heap in use after two forced collections (V8's `gc`, exposed for this process). */
export function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
