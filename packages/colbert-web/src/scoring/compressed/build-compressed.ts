import { assertFiniteVectors } from '../token-matrix.js';
import { assignCentroid } from './assign-centroid.js';
import { CompressedCorpus, type CompressedBatch } from './compressed-corpus.js';
import { assertNbits, trainResidualCodec, type ResidualCodec } from './residual-codec.js';
import { SeededRandom, sampleIndices } from './seeded-random.js';
import { centroidCount, trainCentroids, trainingSample, type CentroidTable } from './train-centroids.js';

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
  const { dim } = table;
  const heldOut = sampleIndices(vectors.length / dim, HELD_OUT_TOKENS, new SeededRandom(seed ^ 0x5bd1e995));
  const residuals = new Float64Array(heldOut.length * dim);
  for (const [r, row] of heldOut.entries()) {
    const code = assignCentroid(table, vectors, row);
    for (let i = 0; i < dim; i++) residuals[r * dim + i] = vectors[row * dim + i]! - table.centroids[code * dim + i]!;
  }
  return trainResidualCodec(residuals, dim, nbits);
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
