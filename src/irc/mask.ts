/**
 * IRC masks (`*` any run, `?` one character), matched without regard to case.
 * Not a RegExp: `*a*a*a…b` against a 32-letter name made a backtracking
 * regex try every way to place each `*` (seconds for one name, with the event
 * loop held), and a mask comes from any client. This greedy matcher goes back
 * only to the last `*`, so a match costs at most mask length × name length
 * steps. Characters are code points, as everywhere in chatd.
 */
export function maskMatcher(mask: string): (name: string) => boolean {
  const pattern = [...mask.toLowerCase()];
  return (name) => globMatch(pattern, [...name.toLowerCase()]);
}

function globMatch(p: readonly string[], s: readonly string[]): boolean {
  let i = 0;
  let j = 0;
  // The last `*` seen and where in `s` its run now ends: on a mismatch, that run takes one more character.
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    if (i < p.length && (p[i] === "?" || p[i] === s[j])) {
      i += 1;
      j += 1;
    } else if (i < p.length && p[i] === "*") {
      star = i;
      i += 1;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      mark += 1;
      j = mark;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === "*") i += 1;
  return i === p.length;
}
