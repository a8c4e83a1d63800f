import { describe, expect, test } from 'vitest';
import { reciprocalRankFusion, weightedScoreFusion } from './fusion.js';

const rankings = {
  semantic: [
    { seq: 1, score: 30 },
    { seq: 2, score: 20 },
    { seq: 3, score: 10 },
  ],
  keyword: [
    { seq: 3, score: 9 },
    { seq: 4, score: 5 },
    { seq: 1, score: 1 },
  ],
};

describe('fusion', () => {
  test('reciprocal rank fusion: Σ 1/(60 + rank); each hit says which ranking found it, at what rank', () => {
    const fused = reciprocalRankFusion(rankings);
    const expected = new Map([
      [1, 1 / 61 + 1 / 63],
      [3, 1 / 63 + 1 / 61],
      [2, 1 / 62],
      [4, 1 / 62],
    ]);
    // 1 and 3 tie (ranks 1 and 3 each), as do 2 and 4: ties go to the lower sequence number.
    expect(fused.map((h) => h.seq)).toEqual([1, 3, 2, 4]);
    for (const h of fused) expect(h.score).toBeCloseTo(expected.get(h.seq)!, 15);
    expect(fused[0]!.found).toEqual({ semantic: { rank: 1, score: 30 }, keyword: { rank: 3, score: 1 } });
    expect(fused[2]!.found).toEqual({ semantic: { rank: 2, score: 20 } });
    expect(fused[3]!.found).toEqual({ keyword: { rank: 2, score: 5 } });
    expect(reciprocalRankFusion(rankings, 1).map((h) => h.score)).toEqual([1 / 2 + 1 / 4, 1 / 4 + 1 / 2, 1 / 3, 1 / 3]);
  });

  test('weighted score fusion: min-max normalised scores, weighted, a missing one counting 0', () => {
    // semantic: 1 → 1, 2 → 0.5, 3 → 0; keyword: 3 → 1, 4 → 0.5, 1 → 0.
    const even = weightedScoreFusion(rankings);
    expect(even.map((h) => [h.seq, h.score])).toEqual([
      [1, 0.5],
      [3, 0.5],
      [2, 0.25],
      [4, 0.25],
    ]);
    const semantic = weightedScoreFusion(rankings, 0.8);
    expect(semantic.map((h) => h.seq)).toEqual([1, 2, 3, 4]);
    [0.8, 0.4, 0.2, 0.1].forEach((score, i) => expect(semantic[i]!.score).toBeCloseTo(score, 15));
    // One document, or all equal: normalised to 1.
    expect(weightedScoreFusion({ semantic: [{ seq: 5, score: 3 }], keyword: [] })).toEqual([{ seq: 5, score: 0.5, found: { semantic: { rank: 1, score: 3 } } }]);
  });
});
