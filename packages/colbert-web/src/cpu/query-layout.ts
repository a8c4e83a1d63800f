import { quantizeQuery } from '../scoring/query.js';
import type { F32TokenMatrix } from '../scoring/token-matrix.js';
import type { SimdLevel } from './simd-support.js';

/**
 * The query as the kernels read it, padded to a multiple of 4 tokens (they take query tokens four at a time).
 * A padding token has scale 0 and dots of 0, so it adds nothing.
 * - f32 (and decoded f16) documents: float32 rows; scale 1 per real token.
 * - int8 documents: `quantizeQuery` (±63, one scale per token), then per SIMD level the operand the kernel wants:
 *   relaxed: u8 q + 64 ∈ [1, 127] (padding 64, whose dot cancels against 64·Σd exactly); plain: i16.
 */
export interface QueryLayout {
  /** Padded query tokens / 4. */
  groups: number;
  values: Uint8Array;
  scales: Float32Array;
}

/**
 * @example
 * const { groups, values, scales } = layoutQuery(query, precision === 'int8', 'relaxed');
 */
export function layoutQuery(query: F32TokenMatrix, int8: boolean, simd: SimdLevel): QueryLayout {
  const { dim, rows } = query;
  const padded = Math.ceil(rows / 4) * 4;
  const scales = new Float32Array(padded);
  if (!int8) {
    const values = new Float32Array(padded * dim);
    values.set(query.values);
    scales.fill(1, 0, rows);
    return { groups: padded / 4, values: new Uint8Array(values.buffer), scales };
  }
  const quantized = quantizeQuery(query);
  scales.set(quantized.scales);
  if (simd === 'relaxed') {
    const values = new Uint8Array(padded * dim).fill(64);
    for (let i = 0; i < quantized.values.length; i++) values[i] = quantized.values[i]! + 64;
    return { groups: padded / 4, values, scales };
  }
  const values = new Int16Array(padded * dim);
  values.set(quantized.values);
  return { groups: padded / 4, values: new Uint8Array(values.buffer), scales };
}
