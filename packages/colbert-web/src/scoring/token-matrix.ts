import { ColbertError, ErrorCode } from '../errors.js';
import { toFloat16Bits } from '../model/float16.js';

/**
 * How token vectors are stored: float32, IEEE float16 bits, or int8 with one float32 scale per token
 * (value ≈ int8 × scale). The store keeps int8 by default.
 */
export type StoredPrecision = 'f32' | 'f16' | 'int8';

export const storedPrecisions: readonly StoredPrecision[] = ['f32', 'f16', 'int8'];

/** Vector dimensions the scorers are built and tested for (our target models). */
export const scorerDims: readonly number[] = [48, 64, 96, 128];

/** `rows` token vectors of `dim` values each, row-major, in one stored precision. */
export type TokenMatrix =
  | { precision: 'f32'; dim: number; rows: number; values: Float32Array }
  | { precision: 'f16'; dim: number; rows: number; values: Uint16Array }
  | { precision: 'int8'; dim: number; rows: number; values: Int8Array; scales: Float32Array };

export type F32TokenMatrix = Extract<TokenMatrix, { precision: 'f32' }>;
export type Int8TokenMatrix = Extract<TokenMatrix, { precision: 'int8' }>;

/**
 * Rejects vectors that would poison every score: a NaN or ±Inf anywhere, or a length that does not match.
 * `subject` names the input in the error (`documents[3].vectors`).
 */
export function assertFiniteVectors(values: Float32Array, dim: number, subject: string): void {
  if (!Number.isInteger(dim) || dim <= 0) {
    throw new ColbertError(ErrorCode.InvalidInput, `${subject}: dim must be a positive integer, got ${dim}.`, { subject });
  }
  if (values.length % dim !== 0) {
    throw new ColbertError(ErrorCode.InvalidInput, `${subject}: ${values.length} values is not a whole number of ${dim}-dim rows.`, { subject });
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      const row = Math.floor(i / dim);
      throw new ColbertError(
        ErrorCode.InvalidInput,
        `${subject}: token ${row} has a non-finite value (${values[i]}) at dimension ${i % dim}; vectors must be finite.`,
        { subject },
      );
    }
  }
}

/** Largest int8 magnitude a stored document value takes (symmetric, so −x is representable). */
export const INT8_MAX = 127;

/**
 * float32 rows → the stored precision. int8: per row, scale = max|x| / 127 and q = round(x / scale)
 * (a zero row gets scale 0 and zeros). Values are checked finite first.
 *
 * @example
 * const stored = storeTokens(vectors, 96, 'int8'); // { values: Int8Array, scales: Float32Array }
 */
export function storeTokens(values: Float32Array, dim: number, precision: StoredPrecision, subject = 'vectors'): TokenMatrix {
  assertFiniteVectors(values, dim, subject);
  const rows = values.length / dim;
  if (precision === 'f32') return { precision, dim, rows, values: values.slice() };
  if (precision === 'f16') return { precision, dim, rows, values: toFloat16Bits(values) };
  const { values: q, scales } = quantizeRows(values, dim, INT8_MAX);
  return { precision, dim, rows, values: q, scales };
}

/**
 * Symmetric per-row quantisation to integers in [−limit, limit]: scale = max|x| / limit, q = round(x / scale),
 * rounding half away from zero. Both scorers and the store use this one function, so their integers agree.
 */
export function quantizeRows(values: Float32Array, dim: number, limit: number): { values: Int8Array; scales: Float32Array } {
  const rows = values.length / dim;
  const out = new Int8Array(values.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let i = r * dim; i < (r + 1) * dim; i++) max = Math.max(max, Math.abs(values[i]!));
    const scale = Math.fround(max / limit);
    scales[r] = scale;
    if (scale === 0) continue;
    for (let i = r * dim; i < (r + 1) * dim; i++) {
      const x = values[i]! / scale;
      out[i] = Math.max(-limit, Math.min(limit, Math.sign(x) * Math.round(Math.abs(x))));
    }
  }
  return { values: out, scales };
}
