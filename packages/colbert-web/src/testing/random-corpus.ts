import type { DocumentBatch } from '../scoring/scorer.js';
import { storeTokens, type F32TokenMatrix, type StoredPrecision } from '../scoring/token-matrix.js';

/**
 * Seeded test data for the scorers: unit-length token vectors (as ColBERT models emit) with some shared
 * structure, so that rankings are not a coin toss. Used by tests and benchmarks, never by the SDK itself.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

/** `rows` unit vectors: a mix of a few shared "topic" directions and noise. */
export function randomUnitRows(random: () => number, rows: number, dim: number, topics = 8): Float32Array {
  const centres = Array.from({ length: topics }, () => Array.from({ length: dim }, () => random() * 2 - 1));
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const centre = centres[Math.floor(random() * topics)]!;
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      const x = centre[i]! * 0.7 + (random() * 2 - 1);
      out[r * dim + i] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) out[r * dim + i] = out[r * dim + i]! * inv;
  }
  return out;
}

export function randomQuery(random: () => number, rows: number, dim: number): F32TokenMatrix {
  return { precision: 'f32', dim, rows, values: randomUnitRows(random, rows, dim) };
}

/** Documents with the given token lengths, stored in `precision`, sequence numbers from `firstSeq`. */
export function randomBatch(
  random: () => number,
  lengths: readonly number[],
  dim: number,
  precision: StoredPrecision,
  firstSeq = 0,
): DocumentBatch {
  const rows = lengths.reduce((a, b) => a + b, 0);
  return {
    tokens: storeTokens(randomUnitRows(random, rows, dim), dim, precision),
    lengths: Uint32Array.from(lengths),
    seqs: Uint32Array.from(lengths, (_, i) => firstSeq + i),
  };
}
