/**
 * 4-bit block quantisation in onnxruntime's MatMulNBits layout (com.microsoft, bits 4, block_size 32), so a
 * quantised [N, K] weight goes into the graph as stored, without a float32 copy:
 *   packed      uint8 [N, blocks, 16]: element k of a block in byte k >> 1, even k in the low nibble
 *   scales      float32 [N · blocks] (stored as float16 in safetensors; the quantiser rounds to float16 first)
 *   zeroPoints  uint8 [N, ceil(blocks / 2)]: even blocks in the low nibble
 * with value = (q − zeroPoint) · scale. Asymmetric per block: a range within [min(0, min x), max(0, max x)] maps
 * onto 0..15, so a block whose weights lean one way keeps its resolution (the zero points cost 1/64 of a byte per
 * weight); of a few such ranges (the full one and narrower ones that clip the extremes) the one with the least
 * squared error is kept.
 */
import { float16BitsToFloat32, toFloat16Bits } from './float16.js';

/** Weights per block (MatMulNBits' block_size). */
export const Q4_BLOCK = 32;
const LEVELS = 15;

/** One [rows, cols] matrix in 4-bit blocks along each row (cols = MatMulNBits' K, rows = N). */
export interface Q4Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly packed: Uint8Array;
  readonly scales: Float32Array;
  readonly zeroPoints: Uint8Array;
}

/**
 * Blocks per row. `cols` must be a multiple of 32 (`canQuantizeQ4`).
 *
 * @example
 * q4BlocksPerRow(384); // 12
 */
export const q4BlocksPerRow = (cols: number): number => cols / Q4_BLOCK;
/**
 * Bytes of one row's zero points (two per byte).
 *
 * @example
 * q4ZeroPointBytes(96); // 2 (three blocks)
 */
export const q4ZeroPointBytes = (cols: number): number => Math.ceil(q4BlocksPerRow(cols) / 2);

/**
 * Whether a tensor of `shape` can be stored in 4-bit blocks: 2-D with whole blocks in every row.
 *
 * @example
 * canQuantizeQ4([384, 1536]); // true
 * canQuantizeQ4([384]); // false
 */
export function canQuantizeQ4(shape: readonly number[]): boolean {
  return shape.length === 2 && shape[1]! > 0 && shape[1]! % Q4_BLOCK === 0;
}

/**
 * Quantises a row-major [rows, cols] float32 matrix.
 *
 * @example
 * const q = quantizeQ4(weight, 384, 1536); // q.packed.length === 384 · 1536 / 2
 */
export function quantizeQ4(data: Float32Array, rows: number, cols: number): Q4Matrix {
  const blocks = q4BlocksPerRow(cols);
  const packed = new Uint8Array((rows * cols) / 2);
  const scales = new Float32Array(rows * blocks);
  const zeroPoints = new Uint8Array(rows * q4ZeroPointBytes(cols));
  const mins = new Float32Array(blocks);
  const candidates = new Float32Array(blocks * SHRINK.length);
  const codes = new Uint8Array(Q4_BLOCK);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const at = r * cols + b * Q4_BLOCK;
      let min = 0;
      let max = 0;
      for (let k = 0; k < Q4_BLOCK; k++) {
        const x = data[at + k]!;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      mins[b] = min;
      SHRINK.forEach((shrink, c) => (candidates[b * SHRINK.length + c] = ((max - min) * shrink) / LEVELS));
    }
    // Scales as float16 stores them, so the codes are chosen for the scales the model will run with.
    const halves = toFloat16Bits(candidates);
    for (let b = 0; b < blocks; b++) {
      const at = r * cols + b * Q4_BLOCK;
      let best = { error: Infinity, scale: 0, zero: 0 };
      for (let c = 0; c < SHRINK.length; c++) {
        const scale = float16BitsToFloat32(halves[b * SHRINK.length + c]!);
        const zero = scale === 0 ? 0 : Math.min(LEVELS, Math.max(0, Math.round((-mins[b]! * SHRINK[c]!) / scale)));
        const error = blockError(data, at, scale, zero, codes);
        if (error < best.error) best = { error, scale, zero };
      }
      scales[r * blocks + b] = best.scale;
      zeroPoints[r * q4ZeroPointBytes(cols) + (b >> 1)]! |= best.zero << ((b & 1) * 4);
      blockError(data, at, best.scale, best.zero, codes);
      for (let k = 0; k < Q4_BLOCK; k++) packed[(at + k) >> 1]! |= codes[k]! << ((k & 1) * 4);
    }
  }
  return { rows, cols, packed, scales, zeroPoints };
}

/**
 * Ranges tried per block, as fractions of [min, max]: clipping the largest weights of a block to give the others
 * finer steps often lowers its squared error; the quantiser keeps the candidate with the least.
 */
const SHRINK = [1, 0.95, 0.9, 0.85, 0.8, 0.75];

/** Σ (x − (q − zero)·scale)² over one block, writing the codes q it chose into `codes`. */
function blockError(data: Float32Array, at: number, scale: number, zero: number, codes: Uint8Array): number {
  let error = 0;
  for (let k = 0; k < Q4_BLOCK; k++) {
    const x = data[at + k]!;
    const q = scale === 0 ? 0 : Math.min(LEVELS, Math.max(0, Math.round(x / scale) + zero));
    codes[k] = q;
    const d = x - (q - zero) * scale;
    error += d * d;
  }
  return error;
}

/**
 * (q − zeroPoint) · scale of every weight, row-major float32: what MatMulNBits multiplies by.
 *
 * @example
 * const weight = dequantizeQ4(quantizeQ4(w, n, k)); // within half a step of w
 */
export function dequantizeQ4(m: Q4Matrix): Float32Array {
  const { rows, cols } = m;
  const blocks = q4BlocksPerRow(cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const scale = m.scales[r * blocks + b]!;
      const zero = (m.zeroPoints[r * q4ZeroPointBytes(cols) + (b >> 1)]! >> ((b & 1) * 4)) & 0xf;
      const at = r * cols + b * Q4_BLOCK;
      for (let k = 0; k < Q4_BLOCK; k++) out[at + k] = (((m.packed[(at + k) >> 1]! >> ((k & 1) * 4)) & 0xf) - zero) * scale;
    }
  }
  return out;
}

/**
 * Several matrices with the same `cols` stacked row-wise (a fused QKV weight): blocks never cross rows.
 *
 * @example
 * const qkv = stackQ4([query.q4, key.q4, value.q4]); // rows 3H, cols H
 */
export function stackQ4(parts: readonly Q4Matrix[]): Q4Matrix {
  const cols = parts[0]!.cols;
  if (parts.some((p) => p.cols !== cols)) throw new Error('stackQ4: every part needs the same number of columns');
  const join = <T extends Uint8Array | Float32Array>(arrays: readonly T[], make: (n: number) => T): T => {
    const out = make(arrays.reduce((n, a) => n + a.length, 0));
    arrays.reduce((at, a) => (out.set(a, at), at + a.length), 0);
    return out;
  };
  return {
    rows: parts.reduce((n, p) => n + p.rows, 0),
    cols,
    packed: join(parts.map((p) => p.packed), (n) => new Uint8Array(n)),
    scales: join(parts.map((p) => p.scales), (n) => new Float32Array(n)),
    zeroPoints: join(parts.map((p) => p.zeroPoints), (n) => new Uint8Array(n)),
  };
}
