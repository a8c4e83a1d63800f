import { SeededRandom, sampleIndices } from './seeded-random.js';

/**
 * Spherical k-means (Lloyd iterations on the unit sphere): a point belongs to the centroid with the largest dot
 * product, a centroid is the normalised sum of its points. Deterministic bit for bit on every runtime: products of
 * float32 inputs are exact in float64, sums run in one fixed order in float64, ties go to the lower centroid, the
 * initial centroids are points drawn by a seeded generator, and an empty cluster keeps its previous centroid.
 */
export interface KMeansOptions {
  seed: number;
  /** Lloyd iterations after the seeded initialisation. */
  iterations: number;
}

/**
 * Dot product of row `a` of `as` and row `b` of `bs` in float64, in a fixed order: four running sums over
 * dimensions i ≡ 0, 1, 2, 3 (mod 4), added as (s0 + s1) + (s2 + s3) (twice as fast in V8 as one chain of
 * additions, and the same bits on every runtime). Callers pass one pair of array types each, which keeps
 * V8's loads monomorphic per call site once inlined.
 */
export function rowDot(as: Float32Array | Float64Array, a: number, bs: Float32Array | Float64Array, b: number, dim: number): number {
  const ia = a * dim;
  const ib = b * dim;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    s0 += as[ia + i]! * bs[ib + i]!;
    s1 += as[ia + i + 1]! * bs[ib + i + 1]!;
    s2 += as[ia + i + 2]! * bs[ib + i + 2]!;
    s3 += as[ia + i + 3]! * bs[ib + i + 3]!;
  }
  for (; i < dim; i++) s0 += as[ia + i]! * bs[ib + i]!;
  return s0 + s1 + (s2 + s3);
}

/** Index of the row of `centroids` (rows `from` to `to`) with the largest dot product with row `row` of `points`. */
export function nearestRow(points: Float32Array, row: number, centroids: Float64Array, from: number, to: number, dim: number): number {
  let best = from;
  let bestDot = -Infinity;
  for (let c = from; c < to; c++) {
    const dot = rowDot(points, row, centroids, c, dim);
    if (dot > bestDot) {
      bestDot = dot;
      best = c;
    }
  }
  return best;
}

/** Scales each row to unit length in place (a zero row stays zero). */
export function normalizeRows(rows: Float64Array, dim: number): Float64Array {
  for (let r = 0; r < rows.length / dim; r++) {
    const norm = Math.sqrt(rowDot(rows, r, rows, r, dim));
    if (norm > 0) for (let i = r * dim; i < (r + 1) * dim; i++) rows[i]! /= norm;
  }
  return rows;
}

/**
 * `k` unit centroids of the rows `members` of `points` (k ≤ members.length), as float64 rows.
 *
 * @example
 * const centroids = sphericalKMeans(vectors, 96, Uint32Array.from({ length: 1000 }, (_, i) => i), 32, { seed: 1, iterations: 8 });
 */
export function sphericalKMeans(points: Float32Array, dim: number, members: Uint32Array, k: number, options: KMeansOptions): Float64Array {
  return runSteps(sphericalKMeansSteps(points, dim, members, k, options));
}

/** Runs a step generator to its end (the synchronous form of a yielding computation). */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * `sphericalKMeans` as a generator that yields after each Lloyd iteration, so a worker can let other tasks run
 * between iterations (the arithmetic, and so the result, is the same).
 */
export function* sphericalKMeansSteps(points: Float32Array, dim: number, members: Uint32Array, k: number, options: KMeansOptions): Generator<void, Float64Array> {
  const centroids = new Float64Array(k * dim);
  const initial = sampleIndices(members.length, k, new SeededRandom(options.seed));
  for (let c = 0; c < k; c++) {
    const row = members[initial[c]!]!;
    for (let i = 0; i < dim; i++) centroids[c * dim + i] = points[row * dim + i]!;
  }
  normalizeRows(centroids, dim);
  const sums = new Float64Array(k * dim);
  const counts = new Uint32Array(k);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    sums.fill(0);
    counts.fill(0);
    for (const row of members) {
      const c = nearestRow(points, row, centroids, 0, k, dim);
      counts[c]!++;
      for (let i = 0; i < dim; i++) sums[c * dim + i]! += points[row * dim + i]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let i = 0; i < dim; i++) centroids[c * dim + i] = sums[c * dim + i]!;
    }
    normalizeRows(centroids, dim);
    yield;
  }
  return centroids;
}
