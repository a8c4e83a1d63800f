/**
 * Weight-only int8 with one scale per row (`colbert-web optimize-model --weights int8`): a [rows, cols] float32
 * matrix W is stored as int8 values q and float32 scales s with W[r, c] ≈ q[r, c] · s[r], symmetric (no zero
 * point), s[r] = max |W[r, ·]| / 127. For a Linear's [out, in] weight a row is an output column of y = x·Wᵀ, so the
 * scales are per output column there, which is what lets MatMulInteger use the int8 values as stored (transposed
 * to [in, out]) and fold the scales into one multiply after it.
 */

/** One [rows, cols] matrix as int8 rows and their float32 scales. */
export interface Int8Rows {
  readonly rows: number;
  readonly cols: number;
  /** Row-major int8 [rows, cols]. */
  readonly values: Int8Array;
  /** float32 [rows]: row r's values times scales[r] give the weights. */
  readonly scales: Float32Array;
}

/**
 * Symmetric per-row int8: scale = max |row| / 127, value = round(x / scale); an all-zero row has scale 0.
 *
 * @example
 * const q = quantizeInt8Rows(weight, 384, 1536); // q.values.length === 384 · 1536
 */
export function quantizeInt8Rows(data: Float32Array, rows: number, cols: number): Int8Rows {
  const values = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(data[r * cols + c]!));
    const scale = max / 127;
    scales[r] = scale;
    if (scale === 0) continue;
    for (let c = 0; c < cols; c++) values[r * cols + c] = Math.round(data[r * cols + c]! / scale);
  }
  return { rows, cols, values, scales };
}

/**
 * values × their row's scale, row-major float32 (what the float32 graph multiplies by).
 *
 * @example
 * const weight = dequantizeInt8Rows(quantizeInt8Rows(w, n, k)); // within half a step of w
 */
export function dequantizeInt8Rows(m: Int8Rows): Float32Array {
  const { rows, cols, values, scales } = m;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const scale = scales[r]!;
    for (let c = 0; c < cols; c++) out[r * cols + c] = values[r * cols + c]! * scale;
  }
  return out;
}

/**
 * Several matrices with the same `cols` stacked row-wise and transposed to [cols, Σ rows] (MatMulInteger's B for
 * a fused Linear: K = cols, N = the stacked rows), with their scales in the same order.
 *
 * @example
 * const { values, scales } = stackTransposedInt8([query.int8, key.int8, value.int8]); // values [H, 3H]
 */
export function stackTransposedInt8(parts: readonly Int8Rows[]): { values: Int8Array; scales: Float32Array; rows: number; cols: number } {
  const cols = parts[0]!.cols;
  if (parts.some((p) => p.cols !== cols)) throw new Error('stackTransposedInt8: every part needs the same number of columns');
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const values = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  let at = 0;
  for (const part of parts) {
    scales.set(part.scales, at);
    for (let r = 0; r < part.rows; r++) for (let c = 0; c < cols; c++) values[c * rows + at + r] = part.values[r * cols + c]!;
    at += part.rows;
  }
  return { values, scales, rows, cols };
}
