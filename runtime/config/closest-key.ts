// "Did you mean ...?" for configuration keys: the known key with the smallest edit distance, counting
// an adjacent transposition ("domian" -> "domain") as one edit, if it is close enough to be a typo.

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => (d[i] as number[])[j] as number;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

const maxKeyLength = 64;

/** The closest candidate within max(2, a third of the key's length) edits; ties go to the earlier candidate. */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  // No key is this long: a typo of one cannot be either, and the distance costs length squared.
  if (key.length > maxKeyLength) return undefined;
  const limit = Math.max(2, Math.floor(key.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const c of candidates) {
    // The distance is at least the difference in length: skip what cannot be within the limit.
    if (Math.abs(c.length - key.length) > limit) continue;
    const distance = editDistance(key.toLowerCase(), c);
    if (distance <= limit && (!best || distance < best.distance)) best = { key: c, distance };
  }
  return best?.key;
}
