/** The benches' shared arithmetic and progress output. */

/** The median of the finite values (NaN when there are none): the figure every bench reports. */
export const median = (xs: number[]): number => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** `n` rounded to `digits` decimals (NaN stays NaN). */
export const round = (n: number, digits = 0): number => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : NaN);

/** A progress line on stderr: stdout carries each bench's JSON. */
export const log = (s: string): void => void process.stderr.write(`${s}\n`);
