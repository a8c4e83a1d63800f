import { expect } from 'vitest';
import type { ScoredDocument } from '../scoring/scorer.js';

/**
 * Compressed search's test bar: same documents in the same order, scores within 1e-4 relative; neighbours closer
 * than that may swap. Test code (vitest).
 */
export function expectSameRanking(actual: readonly ScoredDocument[], expected: readonly ScoredDocument[]): void {
  expect(actual.length).toBe(expected.length);
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), Math.abs(b));
  for (const [i, hit] of actual.entries()) {
    const want = expected[i]!;
    if (hit.seq !== want.seq) {
      const swapped = expected.find((e) => e.seq === hit.seq);
      expect(swapped && near(swapped.score, want.score), `rank ${i}: ${hit.seq} instead of ${want.seq}`).toBe(true);
    }
    expect(near(hit.score, want.score), `rank ${i}: ${hit.score} vs ${want.score}`).toBe(true);
  }
}
