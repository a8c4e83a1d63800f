/**
 * A seeded pseudo-random generator (mulberry32) built from 32-bit integer operations only, so the same seed gives
 * the same sequence in every JavaScript engine: the k-means sample and initial centroids depend on nothing else.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next value in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n), n ≤ 2^32 (53-bit multiply: exact, no modulo bias beyond 2^-32). */
  below(n: number): number {
    return Math.floor((this.nextUint32() / 0x1_0000_0000) * n);
  }
}

/**
 * `count` distinct indices of [0, n), ascending (Floyd's algorithm: memory proportional to `count`, not `n`).
 *
 * @example
 * sampleIndices(1_000_000, 4096, new SeededRandom(7)); // the same 4,096 rows on every runtime
 */
export function sampleIndices(n: number, count: number, random: SeededRandom): Uint32Array {
  const take = Math.min(n, count);
  const chosen = new Set<number>();
  for (let j = n - take; j < n; j++) {
    const t = random.below(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from(chosen).sort();
}
