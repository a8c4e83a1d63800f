import { runSteps, sphericalKMeansSteps, type KMeansSteps } from './spherical-kmeans.js';
import { SeededRandom, sampleIndices } from './seeded-random.js';

/**
 * Two-level centroids: `coarse` cells, each holding a contiguous range of the fine `centroids` (fine rows
 * `coarseStart[j]` to `coarseStart[j + 1]` belong to coarse cell j). Tokens are coded by their fine centroid;
 * the coarse level makes training and assignment cost O(√k) dot products per token instead of O(k).
 */
export interface CentroidTable {
  dim: number;
  /** Unit coarse centroids, float32, row-major. */
  coarse: Float32Array;
  /** coarse rows + 1 offsets into the fine rows. */
  coarseStart: Uint32Array;
  /** Unit fine centroids, float32, row-major: the centroid ids the codes name. */
  centroids: Float32Array;
}

export interface TrainOptions {
  /** Seeds the sample and every k-means initialisation (default 0). */
  seed?: number;
  /** Centroids wanted (default `centroidCount(tokens)`); training may give slightly fewer (see below). */
  centroids?: number;
  /** Lloyd iterations per level (default 4, as ColBERTv2's k-means). */
  iterations?: number;
}

/** Training points per centroid wanted in the sample. */
export const SAMPLE_PER_CENTROID = 16;

/**
 * PLAID's number of centroids for `tokens` token vectors: 2^⌊log2(16·√tokens)⌋ (1.3M tokens → 16,384;
 * 10M → 32,768), at least 1.
 */
export function centroidCount(tokens: number): number {
  return tokens < 1 ? 1 : 2 ** Math.max(0, Math.floor(Math.log2(16 * Math.sqrt(tokens))));
}

/** How many of `tokens` rows the training samples for `centroids` centroids: 16 per centroid, at most all of them. */
export function trainingSampleSize(tokens: number, centroids: number): number {
  return Math.min(tokens, centroids * SAMPLE_PER_CENTROID);
}

/**
 * Trains two-level spherical k-means on the rows `sample` of `points`: √k coarse cells (a power of two), then, in
 * each cell, fine centroids in proportion to its share of the sample (⌊k·share⌋, at least one for a non-empty
 * cell, at most its members), trained on its members only. The total is at most k and close to it.
 * The same points, sample and options give bit-identical tables on every runtime (see spherical-kmeans.ts).
 *
 * @example
 * const sample = sampleIndices(rows, trainingSampleSize(rows, centroidCount(rows)), new SeededRandom(0));
 * const table = trainCentroids(vectors, 128, sample, { seed: 0 });
 */
export function trainCentroids(points: Float32Array, dim: number, sample: Uint32Array, options: TrainOptions = {}): CentroidTable {
  return runSteps(trainCentroidsSteps(points, dim, sample, options), points, dim);
}

/**
 * `trainCentroids` as a step generator yielding every assignment (each Lloyd iteration's, and the sample's coarse
 * cells): `runSteps` answers them in TypeScript, `runStepsAsync` on a kernel, with the same result.
 */
export function* trainCentroidsSteps(points: Float32Array, dim: number, sample: Uint32Array, options: TrainOptions = {}): KMeansSteps<CentroidTable> {
  const seed = options.seed ?? 0;
  const iterations = options.iterations ?? 4;
  const k = Math.max(1, Math.min(sample.length, options.centroids ?? centroidCount(sample.length)));
  const coarseCount = Math.min(k, 2 ** Math.ceil(Math.log2(k) / 2));
  const coarse = yield* sphericalKMeansSteps(points, dim, sample, coarseCount, { seed, iterations });
  const cells: number[][] = Array.from({ length: coarseCount }, () => []);
  const cellOf = yield { rows: sample, centroids: coarse, k: coarseCount };
  for (let i = 0; i < sample.length; i++) cells[cellOf[i]!]!.push(sample[i]!);

  const coarseStart = new Uint32Array(coarseCount + 1);
  const fine: Float64Array[] = [];
  for (const [j, members] of cells.entries()) {
    const want = members.length === 0 ? 0 : Math.min(members.length, Math.max(1, Math.floor((k * members.length) / sample.length)));
    fine.push(want === 0 ? new Float64Array(0) : yield* sphericalKMeansSteps(points, dim, Uint32Array.from(members), want, { seed: seed + 1 + j, iterations }));
    coarseStart[j + 1] = coarseStart[j]! + want;
  }
  const centroids = new Float32Array(coarseStart[coarseCount]! * dim);
  for (const [j, rows] of fine.entries()) centroids.set(rows, coarseStart[j]! * dim);
  return { dim, coarse: Float32Array.from(coarse), coarseStart, centroids };
}

/** The sample `trainCentroids` is meant to get for `tokens` rows: seeded, ascending row indices. */
export function trainingSample(tokens: number, centroids: number, seed: number): Uint32Array {
  return sampleIndices(tokens, trainingSampleSize(tokens, centroids), new SeededRandom(seed));
}
