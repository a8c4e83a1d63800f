import type { F32TokenMatrix } from '../token-matrix.js';
import type { ResidualCodec } from './residual-codec.js';
import { rowDot } from './spherical-kmeans.js';

/**
 * What one query precomputes so that scoring a coded token needs no decompression:
 * - `centroidScores[c · rows + q]` = q·centroid_c (centroid-major: a token's scores for all query tokens are
 *   contiguous);
 * - `residualScores[(q · bytes + p) · 256 + v]` = Σ over the dimensions i packed in byte p of q_i · weight_i(bucket
 *   of i in byte value v): q·(centroid + weights) is then centroidScores + one lookup per residual byte.
 */
export interface QueryTables {
  rows: number;
  centroidScores: Float32Array;
  residualScores: Float32Array;
}

/** The query's tables against `centroids` (k × dim, float32) and `codec`. */
export function queryTables(query: F32TokenMatrix, centroids: Float32Array, codec: ResidualCodec): QueryTables {
  const { dim, rows, values } = query;
  const k = centroids.length / dim;
  const centroidScores = new Float32Array(k * rows);
  for (let c = 0; c < k; c++) for (let q = 0; q < rows; q++) centroidScores[c * rows + q] = rowDot(values, q, centroids, c, dim);
  const { nbits, weights } = codec;
  const buckets = 1 << nbits;
  const perByte = 8 / nbits;
  const bytes = Math.ceil(dim / perByte);
  const residualScores = new Float32Array(rows * bytes * 256);
  for (let q = 0; q < rows; q++) {
    for (let p = 0; p < bytes; p++) {
      const base = (q * bytes + p) * 256;
      for (let v = 0; v < 256; v++) {
        let sum = 0;
        for (let s = 0; s < perByte; s++) {
          const i = p * perByte + s;
          if (i < dim) sum += values[q * dim + i]! * weights[i * buckets + ((v >> (s * nbits)) & (buckets - 1))]!;
        }
        residualScores[base + v] = sum;
      }
    }
  }
  return { rows, centroidScores, residualScores };
}
