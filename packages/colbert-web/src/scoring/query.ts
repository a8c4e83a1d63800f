import { quantizeRows, type F32TokenMatrix, type Int8TokenMatrix } from './token-matrix.js';

/**
 * Largest magnitude of a quantised query value when scoring int8 documents. Seven bits (±63), so that
 * `q + 64` lies in [1, 127]: the second operand of WebAssembly's `i32x4.relaxed_dot_i8x16_i7x16_add` is then
 * within 7 bits, where that instruction is deterministic on every platform, and the WGSL `dot4I8Packed`, the
 * plain-SIMD path and the relaxed-SIMD path compute the same integer dot product.
 */
export const QUERY_INT8_MAX = 63;

/** The query as the int8 scorers read it: per query token, integers in [−63, 63] and one scale. */
export function quantizeQuery(query: F32TokenMatrix): Int8TokenMatrix {
  const { values, scales } = quantizeRows(query.values, query.dim, QUERY_INT8_MAX);
  return { precision: 'int8', dim: query.dim, rows: query.rows, values, scales };
}
