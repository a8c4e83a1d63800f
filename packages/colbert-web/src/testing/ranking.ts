import type { ScoredDocument } from '../scoring/scorer.js';

/**
 * Why two rankings differ, or undefined when they agree: same length, every score within `relative` of the
 * reference's (relative to max(1, |reference|)), and the same documents in the same order except where the
 * reference's scores are within `nearTie` of each other (then either order is right).
 */
export function rankingMismatch(
  actual: readonly ScoredDocument[],
  expected: readonly ScoredDocument[],
  { relative = 1e-4, nearTie = 1e-5 }: { relative?: number; nearTie?: number } = {},
): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  const expectedBySeq = new Map(expected.map((e) => [e.seq, e.score]));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Math.abs(a.score - e.score) > relative * Math.max(1, Math.abs(e.score))) {
      return `rank ${i}: score ${a.score} (seq ${a.seq}) vs reference ${e.score} (seq ${e.seq})`;
    }
    if (a.seq === e.seq) continue;
    const own = expectedBySeq.get(a.seq);
    // A swap is fine only between near-tied documents; a document outside the reference's top k must tie the cut.
    const tie = own === undefined ? Math.abs(a.score - e.score) <= nearTie : Math.abs(own - e.score) <= nearTie;
    if (!tie) return `rank ${i}: seq ${a.seq} (${a.score}) where the reference has seq ${e.seq} (${e.score})`;
  }
  return undefined;
}

/** |A ∩ B| / |B| over sequence numbers: how much of the exact top k an approximate ranking keeps. */
export function topKOverlap(actual: readonly ScoredDocument[], exact: readonly ScoredDocument[]): number {
  if (exact.length === 0) return 1;
  const kept = new Set(actual.map((a) => a.seq));
  return exact.filter((e) => kept.has(e.seq)).length / exact.length;
}

/**
 * `rankingMismatch` with the compressed search's tolerance (docs/compressed-index.md): scores within 1e-4 relative,
 * and neighbours closer than 1e-4 of the largest score may swap.
 */
export function compressedRankingMismatch(actual: readonly ScoredDocument[], expected: readonly ScoredDocument[]): string | undefined {
  const scale = Math.max(1, ...expected.map((e) => Math.abs(e.score)));
  return rankingMismatch(actual, expected, { relative: 1e-4, nearTie: 1e-4 * scale });
}
