import { ColbertError, ErrorCode } from '../../errors.js';

/** Bits per residual dimension the codec supports. */
export const RESIDUAL_NBITS: readonly number[] = [2, 4];

/**
 * ColBERTv2's residual quantisation, per dimension: a token's residual r = x − centroid is coded, dimension by
 * dimension, as the bucket of r_i among 2^nbits − 1 `cutoffs` of dimension i, and decoded as that bucket's
 * reconstruction `weight`; the decoded token is normalize(centroid + weights). Cutoffs sit at the quantiles
 * j / 2^nbits (j = 1 … 2^nbits − 1) of held-out residuals of that dimension, weights at (j + ½) / 2^nbits
 * (j = 0 … 2^nbits − 1), so every bucket is used equally often and decodes to its median.
 */
export interface ResidualCodec {
  dim: number;
  nbits: number;
  /** dim × (2^nbits − 1), ascending per dimension. */
  cutoffs: Float32Array;
  /** dim × 2^nbits. */
  weights: Float32Array;
}

/** Bytes of one token's packed residual: dim · nbits / 8 (dim is a multiple of 8 for every supported model). */
export function residualBytes(dim: number, nbits: number): number {
  return Math.ceil((dim * nbits) / 8);
}

/** Throws INVALID_INPUT naming `subject` unless nbits is 2 or 4. */
export function assertNbits(nbits: unknown, subject = 'nbits'): asserts nbits is number {
  if (typeof nbits !== 'number' || !RESIDUAL_NBITS.includes(nbits)) {
    throw new ColbertError(ErrorCode.InvalidInput, `${subject} must be 2 or 4 (got ${String(nbits)}).`, { subject });
  }
}

/** torch.quantile's linear interpolation on ascending `sorted`. */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(sorted.length - 1, lower + 1);
  return sorted[lower]! + (position - lower) * (sorted[upper]! - sorted[lower]!);
}

/**
 * Cutoffs and weights from `residuals` (rows × dim, float64, at least one row).
 *
 * @example
 * const codec = trainResidualCodec(heldOutResiduals, 128, 2);
 */
export function trainResidualCodec(residuals: Float64Array, dim: number, nbits: number): ResidualCodec {
  assertNbits(nbits);
  const buckets = 2 ** nbits;
  const rows = residuals.length / dim;
  const cutoffs = new Float32Array(dim * (buckets - 1));
  const weights = new Float32Array(dim * buckets);
  const column = new Float64Array(rows);
  for (let i = 0; i < dim; i++) {
    for (let r = 0; r < rows; r++) column[r] = residuals[r * dim + i]!;
    column.sort();
    for (let j = 1; j < buckets; j++) cutoffs[i * (buckets - 1) + j - 1] = quantile(column, j / buckets);
    for (let j = 0; j < buckets; j++) weights[i * buckets + j] = quantile(column, (j + 0.5) / buckets);
  }
  return { dim, nbits, cutoffs, weights };
}

/**
 * Packs the residual of `vector` (row `row` of `vectors`) against `centroid` (row `code` of `centroids`) into
 * `out` at `offset`: dimension i's bucket (the number of its cutoffs strictly below r_i) in bits
 * (i · nbits) mod 8 upward of byte ⌊i · nbits / 8⌋.
 */
export function encodeResidual(
  codec: ResidualCodec,
  vectors: Float32Array,
  row: number,
  centroids: Float32Array,
  code: number,
  out: Uint8Array,
  offset: number,
): void {
  const { dim, nbits, cutoffs } = codec;
  const cuts = 2 ** nbits - 1;
  for (let b = 0; b < residualBytes(dim, nbits); b++) out[offset + b] = 0;
  for (let i = 0; i < dim; i++) {
    const r = vectors[row * dim + i]! - centroids[code * dim + i]!;
    let bucket = 0;
    while (bucket < cuts && r > cutoffs[i * cuts + bucket]!) bucket++;
    const bit = i * nbits;
    out[offset + (bit >> 3)]! |= bucket << (bit & 7);
  }
}

/** Bucket of dimension `i` of the packed residual at `offset`. */
export function residualBucket(residuals: Uint8Array, offset: number, i: number, nbits: number): number {
  const bit = i * nbits;
  return (residuals[offset + (bit >> 3)]! >> (bit & 7)) & ((1 << nbits) - 1);
}
