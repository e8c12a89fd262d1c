/**
 * The Graph faults' path glob (README, "Faults"): `*` matches any run of characters, `/`
 * included — unlike most glob libraries, where `*` stops at `/` — and `?` exactly one
 * character; everything else is literal; case-insensitive.
 *
 * Compiled to a matcher that never backtracks, rather than to a RegExp: a glob of many stars
 * (`*********!`) turned into `.*.*.*…` makes V8's backtracking engine take exponential time on a
 * path that almost matches, and every Graph call of the tenant runs the glob. The glob is cut at
 * its stars into fixed-length pieces; the first piece must start the path, the last must end it,
 * and each piece between is taken at its leftmost place after the previous one. Leftmost is
 * always right — a piece has a fixed length, so an earlier place leaves at least as much room for
 * the pieces after it — so one pass decides: at most (path length × longest piece) character
 * comparisons, whatever the pattern.
 */
export type PathMatcher = (path: string) => boolean;

export function compileGlob(glob: string): PathMatcher {
  const pieces = glob.toLowerCase().split('*');
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return (path) => path.length === first.length && pieceAt(path.toLowerCase(), 0, first);
  const last = pieces[pieces.length - 1] ?? '';
  const middle = pieces.slice(1, -1).filter((p) => p !== '');
  return (path) => {
    const s = path.toLowerCase();
    const end = s.length - last.length;
    if (end < first.length || !pieceAt(s, 0, first) || !pieceAt(s, end, last)) return false;
    let from = first.length;
    for (const piece of middle) {
      const at = leftmost(s, piece, from, end);
      if (at < 0) return false;
      from = at + piece.length;
    }
    return true;
  };
}

/** Whether `piece` (with `?` for any one character) is in `s` at `at`. */
function pieceAt(s: string, at: number, piece: string): boolean {
  if (at < 0 || at + piece.length > s.length) return false;
  for (let j = 0; j < piece.length; j++) {
    const c = piece.charCodeAt(j);
    if (c !== QUESTION && c !== s.charCodeAt(at + j)) return false;
  }
  return true;
}

/** The first place ≥ `from` where `piece` lies wholly before `end`, or -1. */
function leftmost(s: string, piece: string, from: number, end: number): number {
  if (!piece.includes('?')) {
    const at = s.indexOf(piece, from);
    return at >= 0 && at + piece.length <= end ? at : -1;
  }
  for (let at = from; at + piece.length <= end; at++) if (pieceAt(s, at, piece)) return at;
  return -1;
}

const QUESTION = '?'.charCodeAt(0);
