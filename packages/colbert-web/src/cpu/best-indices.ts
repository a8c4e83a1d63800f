/**
 * Indices (ascending) of the `keep` largest of `scores`; among equal scores the lower indices are kept. The same
 * set as sorting by (score descending, index ascending) and taking the first `keep`, at the cost of one native
 * numeric sort instead of a comparator sort.
 *
 * @example
 * bestIndices(Float64Array.of(0.5, 0.9, 0.5, 0.1), 2); // Uint32Array [0, 1]
 */
export function bestIndices(scores: Float64Array, keep: number): Uint32Array {
  const n = scores.length;
  if (keep >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  if (keep <= 0) return new Uint32Array(0);
  const cutoff = scores.slice().sort()[n - keep]!;
  let ties = keep;
  for (let i = 0; i < n; i++) if (scores[i]! > cutoff) ties--;
  const out = new Uint32Array(keep);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const score = scores[i]!;
    if (score > cutoff || (score === cutoff && ties-- > 0)) out[j++] = i;
  }
  return out;
}
