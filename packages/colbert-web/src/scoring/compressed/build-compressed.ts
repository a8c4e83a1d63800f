import { assertFiniteVectors } from '../token-matrix.js';
import { assignCentroid } from './assign-centroid.js';
import { CompressedCorpus, type CompressedBatch } from './compressed-corpus.js';
import { assertNbits, trainResidualCodec, type ResidualCodec } from './residual-codec.js';
import { SeededRandom, sampleIndices } from './seeded-random.js';
import { runStepsAsync, type NearestRequest } from './spherical-kmeans.js';
import { centroidCount, trainCentroids, trainCentroidsSteps, trainingSample, type CentroidTable } from './train-centroids.js';

export interface CompressOptions {
  /** Bits per residual dimension: 2 or 4. */
  nbits: number;
  /** Seeds every random choice (default 0): the same vectors and seed give the same index on every runtime. */
  seed?: number;
  /** Centroids wanted (default `centroidCount(tokens)`). */
  centroids?: number;
  /** Lloyd iterations per k-means level (default 4). */
  iterations?: number;
}

/** Held-out tokens whose residuals set the codec's cutoffs and weights (ColBERTv2 holds out 5% of its sample). */
export const HELD_OUT_TOKENS = 16_384;

/**
 * The residual codec for `table`: cutoffs and weights from the residuals of a seeded held-out sample of
 * `vectors` against their assigned centroids.
 */
export function trainCodec(table: CentroidTable, vectors: Float32Array, nbits: number, seed = 0): ResidualCodec {
  assertNbits(nbits, 'nbits');
  return trainCodecOnRows(table, vectors, heldOutSample(vectors.length / table.dim, seed), nbits);
}

/** The held-out rows of `tokens` rows that `trainCodec` trains the codec on (seeded, ascending). */
export function heldOutSample(tokens: number, seed: number): Uint32Array {
  return sampleIndices(tokens, HELD_OUT_TOKENS, new SeededRandom(seed ^ 0x5bd1e995));
}

/**
 * The codec trained on the rows `heldOut` of `vectors` (their residuals against their assigned centroids;
 * `codes[r]` is row `heldOut[r]`'s centroid when given, else assigned here).
 */
function trainCodecOnRows(table: CentroidTable, vectors: Float32Array, heldOut: Uint32Array, nbits: number, codes?: Uint32Array): ResidualCodec {
  const { dim } = table;
  const residuals = new Float64Array(heldOut.length * dim);
  for (const [r, row] of heldOut.entries()) {
    const code = codes ? codes[r]! : assignCentroid(table, vectors, row);
    for (let i = 0; i < dim; i++) residuals[r * dim + i] = vectors[row * dim + i]! - table.centroids[code * dim + i]!;
  }
  return trainResidualCodec(residuals, dim, nbits);
}

/**
 * Reads each list of rows (ascending indices into the corpus's token rows) as packed float32 rows in that order,
 * in one pass (one consistent read of the corpus).
 */
export type RowGatherer = (lists: readonly Uint32Array[]) => Promise<Float32Array[]>;

/**
 * Kernels training can run its heavy steps on, each giving what the TypeScript one gives bit for bit: k-means's
 * assignments (`nearestRows`, the dominant cost) and the held-out rows' centroids (`assignCentroids`). The
 * WebAssembly `CompressedKernels` are one.
 */
export interface TrainingKernels {
  nearestRows(points: Float32Array, dim: number, request: NearestRequest): Promise<Uint32Array>;
  assignCentroids(table: CentroidTable, vectors: Float32Array): Promise<Uint32Array>;
}

/** How `trainCompressionStreamed` runs besides the compression options. */
export interface StreamedTrainOptions extends CompressOptions {
  /** Awaited after every Lloyd iteration: how a worker lets searches run during training. */
  pause?: () => Promise<void>;
  /** Runs the heavy steps (e.g. on the WebAssembly kernels); TypeScript without. The same tables either way. */
  kernels?: TrainingKernels;
}

/**
 * `trainCompression` without the corpus in memory: the two samples it trains on are read through `gather` (e.g.
 * from stored segments), so only `16·k + 16,384` rows are ever held, and the work yields to the event loop after
 * each Lloyd iteration (`pause`). Bit-identical to `trainCompression` on the same `tokens` rows, with or without
 * `kernels`.
 *
 * @example
 * const { table, codec } = await trainCompressionStreamed(gather, rows, 128, { nbits: 2 });
 */
export async function trainCompressionStreamed(
  gather: RowGatherer,
  tokens: number,
  dim: number,
  options: StreamedTrainOptions,
): Promise<{ table: CentroidTable; codec: ResidualCodec }> {
  assertNbits(options.nbits, 'nbits');
  const seed = options.seed ?? 0;
  const wanted = options.centroids ?? centroidCount(tokens);
  const sample = trainingSample(tokens, wanted, seed);
  const heldOut = heldOutSample(tokens, seed);
  const [points, heldVectors] = (await gather([sample, heldOut])) as [Float32Array, Float32Array];
  assertFiniteVectors(points, dim, 'vectors');
  assertFiniteVectors(heldVectors, dim, 'vectors');
  const steps = trainCentroidsSteps(points, dim, Uint32Array.from(sample.keys()), { seed, centroids: wanted, iterations: options.iterations ?? 4 });
  const { kernels } = options;
  const table = await runStepsAsync(steps, points, dim, kernels && ((p, d, request) => kernels.nearestRows(p, d, request)), options.pause);
  const heldRows = Uint32Array.from(heldOut.keys());
  const codes = kernels ? await kernels.assignCentroids(table, heldVectors) : undefined;
  return { table, codec: trainCodecOnRows(table, heldVectors, heldRows, options.nbits, codes) };
}

/**
 * `trainCompression` with the streamed trainer's options: the same tables, its heavy steps on `kernels` (e.g. the
 * WebAssembly `CompressedKernels`) and `pause` awaited between Lloyd iterations.
 *
 * @example
 * const { table, codec } = await trainCompressionWith(vectors, 128, { nbits: 2, kernels: await createCompressedKernels() });
 */
export function trainCompressionWith(vectors: Float32Array, dim: number, options: StreamedTrainOptions): Promise<{ table: CentroidTable; codec: ResidualCodec }> {
  const gather: RowGatherer = async (lists) =>
    lists.map((rows) => {
      const out = new Float32Array(rows.length * dim);
      rows.forEach((row, i) => out.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim));
      return out;
    });
  return trainCompressionStreamed(gather, vectors.length / dim, dim, options);
}

/**
 * Trains the shared tables on `vectors` (rows × dim): two-level centroids on a seeded sample, then the residual
 * codec on a second seeded sample of tokens assigned to them.
 *
 * @example
 * const { table, codec } = trainCompression(vectors, 128, { nbits: 2 });
 */
export function trainCompression(vectors: Float32Array, dim: number, options: CompressOptions): { table: CentroidTable; codec: ResidualCodec } {
  assertNbits(options.nbits, 'nbits');
  assertFiniteVectors(vectors, dim, 'vectors');
  const seed = options.seed ?? 0;
  const tokens = vectors.length / dim;
  const wanted = options.centroids ?? centroidCount(tokens);
  const table = trainCentroids(vectors, dim, trainingSample(tokens, wanted, seed), { seed, centroids: wanted, iterations: options.iterations ?? 4 });
  return { table, codec: trainCodec(table, vectors, options.nbits, seed) };
}

/**
 * A compressed corpus of `batch`, its tables trained on its own vectors.
 *
 * @example
 * const corpus = compressCorpus({ vectors, lengths, seqs }, 96, { nbits: 4 });
 */
export function compressCorpus(batch: CompressedBatch, dim: number, options: CompressOptions): CompressedCorpus {
  const { table, codec } = trainCompression(batch.vectors, dim, options);
  const corpus = CompressedCorpus.create(table, codec);
  corpus.append(batch);
  return corpus;
}
