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
 * One Lloyd assignment a step generator asks its driver for: for each row `rows[i]` of the points, the index of
 * the nearest of the first `k` float64 rows of `centroids` (`nearestRow` over all k: largest dot product, ties to
 * the lower index). The arrays are the generator's own: read them before resuming it.
 */
export interface NearestRequest {
  rows: Uint32Array;
  centroids: Float64Array;
  k: number;
}

/**
 * A k-means computation as a generator: it yields each assignment step (the dominant cost, O(rows · k · dim)) and
 * is resumed with its answer, so one algorithm runs on TypeScript (`runSteps`) or on a kernel (`runStepsAsync`).
 */
export type KMeansSteps<T> = Generator<NearestRequest, T, Uint32Array>;

/** Answers a `NearestRequest` for `points` on another engine (a WebAssembly kernel): the same indices bit for bit. */
export type NearestKernel = (points: Float32Array, dim: number, request: NearestRequest) => Promise<Uint32Array>;

/** `request` answered in TypeScript: the reference every kernel equals. */
export function nearestRows(points: Float32Array, dim: number, request: NearestRequest): Uint32Array {
  const { rows, centroids, k } = request;
  const nearest = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) nearest[i] = nearestRow(points, rows[i]!, centroids, 0, k, dim);
  return nearest;
}

/**
 * `k` unit centroids of the rows `members` of `points` (k ≤ members.length), as float64 rows.
 *
 * @example
 * const centroids = sphericalKMeans(vectors, 96, Uint32Array.from({ length: 1000 }, (_, i) => i), 32, { seed: 1, iterations: 8 });
 */
export function sphericalKMeans(points: Float32Array, dim: number, members: Uint32Array, k: number, options: KMeansOptions): Float64Array {
  return runSteps(sphericalKMeansSteps(points, dim, members, k, options), points, dim);
}

/** Runs a step generator to its end, answering its assignments in TypeScript (the synchronous form). */
export function runSteps<T>(steps: KMeansSteps<T>, points: Float32Array, dim: number): T {
  let next = steps.next();
  while (!next.done) next = steps.next(nearestRows(points, dim, next.value));
  return next.value;
}

/**
 * Runs a step generator to its end, answering its assignments with `nearest` (TypeScript without one) and
 * awaiting `pause` after each, so a worker lets other tasks run between Lloyd iterations. The same result as
 * `runSteps` when `nearest` equals `nearestRows`.
 */
export async function runStepsAsync<T>(steps: KMeansSteps<T>, points: Float32Array, dim: number, nearest?: NearestKernel, pause?: () => Promise<void>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const answer = nearest ? await nearest(points, dim, next.value) : nearestRows(points, dim, next.value);
    await pause?.();
    next = steps.next(answer);
  }
  return next.value;
}

/**
 * `sphericalKMeans` as a step generator: each Lloyd iteration yields its assignment (see `KMeansSteps`); the
 * rest (sums, normalisation) runs here, so the result is the same whoever answers.
 */
export function* sphericalKMeansSteps(points: Float32Array, dim: number, members: Uint32Array, k: number, options: KMeansOptions): KMeansSteps<Float64Array> {
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
    const nearest = yield { rows: members, centroids, k };
    sums.fill(0);
    counts.fill(0);
    for (let m = 0; m < members.length; m++) {
      const row = members[m]!;
      const c = nearest[m]!;
      counts[c]!++;
      for (let i = 0; i < dim; i++) sums[c * dim + i]! += points[row * dim + i]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let i = 0; i < dim; i++) centroids[c * dim + i] = sums[c * dim + i]!;
    }
    normalizeRows(centroids, dim);
  }
  return centroids;
}
