/**
 * What this JavaScript engine's WebAssembly can run, found by validating tiny modules rather than by reading user
 * agents: Node 20 has relaxed SIMD only behind `--experimental-wasm-relaxed-simd`, Chromium has it, Safari not yet.
 */

/** Which instruction set the int8 kernel uses. */
export type SimdLevel = 'relaxed' | 'plain';

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const splat = [0x41, 0x00, 0xfd, 0x0f]; // i32.const 0; i8x16.splat

/** A module with one exported function `t` of type () → `result` and the given body (without `end`). */
function tinyModule(result: number, body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0x01, body.length + 2, 0x00, ...body, 0x0b];
  return Uint8Array.from([
    ...header,
    ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, result], // type () → result
    ...[0x03, 0x02, 0x01, 0x00], // one function of that type
    ...[0x07, 0x05, 0x01, 0x01, 0x74, 0x00, 0x00], // exported as "t"
    ...[0x0a, code.length, ...code],
  ]);
}

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/**
 * 128-bit SIMD (every current browser and Node ≥ 16).
 *
 * @example
 * if (!hasWasmSimd()) useTheGpuOrGiveUp();
 */
export function hasWasmSimd(): boolean {
  return validates(tinyModule(0x7b, splat));
}

/**
 * `i32x4.relaxed_dot_i8x16_i7x16_add_s`, the instruction the int8 kernel uses, validates and computes the
 * standard result: Node 20's experimental implementation (`--experimental-wasm-relaxed-simd`) validates but
 * returns twice the dot product, so it is checked on a known value (−1 · 100 · 4 lanes = −400), not trusted.
 *
 * @example
 * const simd = hasRelaxedSimd() ? 'relaxed' : 'plain';
 */
export function hasRelaxedSimd(): boolean {
  const body = [
    ...[0x41, 0x7f, 0xfd, 0x0f], // i8x16.splat(−1): the signed operand
    ...[0x41, 0xe4, 0x00, 0xfd, 0x0f], // i8x16.splat(100): the 7-bit operand
    ...splat, // accumulator 0
    ...[0xfd, 0x93, 0x02], // i32x4.relaxed_dot_i8x16_i7x16_add_s
    ...[0xfd, 0x1b, 0x00], // i32x4.extract_lane 0
  ];
  const bytes = tinyModule(0x7f, body);
  if (!validates(bytes)) return false;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    return (instance.exports as { t: () => number }).t() === -400;
  } catch {
    return false;
  }
}

/**
 * Shared WebAssembly memory can be made and handed to workers: SharedArrayBuffer exists and, in a browser,
 * the page is cross-origin isolated (COOP/COEP headers). Node always qualifies.
 *
 * @example
 * const threads = hasSharedMemory() ? navigator.hardwareConcurrency : 1;
 */
export function hasSharedMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
