import { describe, expect, it } from 'vitest';
import { bestIndices } from './best-indices.js';

/** The definition: sort by score descending, then index ascending; take the first `keep`; ascending indices. */
function bySorting(scores: Float64Array, keep: number): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, Math.max(0, keep)).sort((a, b) => a - b);
}

describe('bestIndices', () => {
  it('keeps the best, lower indices first among ties, on data full of ties', () => {
    let state = 7;
    const scores = Float64Array.from({ length: 500 }, () => ((state = (state * 48271) % 2147483647) % 13) / 4);
    for (const keep of [0, 1, 5, 37, 38, 100, 499, 500, 600]) expect(Array.from(bestIndices(scores, keep))).toEqual(bySorting(scores, keep));
  });

  it('handles negative scores and all-equal scores', () => {
    expect(Array.from(bestIndices(Float64Array.of(-3, -1, -2, -1), 2))).toEqual([1, 3]);
    expect(Array.from(bestIndices(new Float64Array(6).fill(0.5), 3))).toEqual([0, 1, 2]);
  });
});
