import type { ScoredDocument } from '../scoring/scorer.js';

/**
 * Compressed search's test bar, or undefined when it is met: same documents in the same order, scores within 1e-4
 * relative; neighbours closer than that may swap. Plain TypeScript, so browser checks use it too.
 */
export function compressedRankingMismatch(actual: readonly ScoredDocument[], expected: readonly ScoredDocument[]): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} hits instead of ${expected.length}`;
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), Math.abs(b));
  for (const [i, hit] of actual.entries()) {
    const want = expected[i]!;
    if (hit.seq !== want.seq) {
      const swapped = expected.find((e) => e.seq === hit.seq);
      if (!swapped || !near(swapped.score, want.score)) return `rank ${i}: ${hit.seq} instead of ${want.seq}`;
    }
    if (!near(hit.score, want.score)) return `rank ${i}: ${hit.score} vs ${want.score}`;
  }
  return undefined;
}
