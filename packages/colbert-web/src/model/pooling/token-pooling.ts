/**
 * PyLate's hierarchical token pooling of one document matrix (pylate/models/colbert.py,
 * `pool_embeddings_hierarchical`): the first row ([CLS]) is kept as it is and first; the other n rows are clustered
 * by Ward linkage on their cosine distances (1 − dot, float32, as torch computes them for unit rows) and cut into at
 * most k = max(n // factor, 1) clusters; each cluster becomes the float32 mean of its rows, in label order, not
 * re-normalised. Nothing is pooled when k ≥ n.
 *
 * Cost per matrix of n rows: n(n−1)/2 distances held once (float64, ≈ 4·n² bytes: 1 MB at n = 512, 268 MB at
 * n = 8192), O(n²·dim) time for them and O(n²) for the linkage. pool-document.ts bounds n per call.
 */
import { fclusterMaxclust } from './fcluster-maxclust.js';
import { wardLinkage } from './ward-linkage.js';

/** A pooled matrix and where each input row went. */
export interface PooledRows {
  /** Output rows: 1 + the number of clusters (or the input's row count when nothing was pooled). */
  readonly rows: number;
  /** rows × dim, row-major, float32. */
  readonly vectors: Float32Array;
  /** For each input row, the output row it is part of (input row 0 → 0). */
  readonly rowOf: Int32Array;
}

/** Rows protected from pooling, as in PyLate: the [CLS] row. */
export const PROTECTED_ROWS = 1;

/**
 * Pools `rows` × `dim` unit-norm float32 rows with `factor` (an integer ≥ 1), keeping the first `protectedRows`
 * rows apart (PyLate: 1, the [CLS] row).
 *
 * @example
 * const { vectors, rows, rowOf } = poolTokens(encoded.vectors, encoded.rows, encoded.dim, 2);
 */
export function poolTokens(vectors: Float32Array, rows: number, dim: number, factor: number, protectedRows = PROTECTED_ROWS): PooledRows {
  const n = rows - protectedRows;
  const k = Math.max(Math.floor(n / factor), 1);
  if (k >= n) return { rows, vectors, rowOf: Int32Array.from({ length: rows }, (_, i) => i) };
  const labels = fclusterMaxclust(wardLinkage(cosineDistances(vectors.subarray(protectedRows * dim), n, dim), n), k);
  const clusters = Math.max(...labels);
  const sums = new Float64Array(clusters * dim);
  const counts = new Int32Array(clusters);
  const rowOf = new Int32Array(rows);
  for (let i = 0; i < protectedRows; i++) rowOf[i] = i;
  labels.forEach((label, i) => {
    rowOf[protectedRows + i] = protectedRows - 1 + label;
    counts[label - 1]!++;
    const from = (protectedRows + i) * dim;
    for (let c = 0; c < dim; c++) sums[(label - 1) * dim + c]! += vectors[from + c]!;
  });
  const out = new Float32Array((protectedRows + clusters) * dim);
  out.set(vectors.subarray(0, protectedRows * dim));
  for (let j = 0; j < clusters; j++) {
    for (let c = 0; c < dim; c++) out[(protectedRows + j) * dim + c] = sums[j * dim + c]! / counts[j]!;
  }
  return { rows: protectedRows + clusters, vectors: out, rowOf };
}

/** Condensed 1 − rᵢ·rⱼ of n rows, each rounded to float32 as torch's float32 matmul gives. */
function cosineDistances(vectors: Float32Array, n: number, dim: number): Float64Array {
  const out = new Float64Array((n * (n - 1)) / 2);
    let at = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += vectors[i * dim + c]! * vectors[j * dim + c]!;
      out[at++] = Math.fround(1 - Math.fround(dot));
    }
  }
  return out;
}
