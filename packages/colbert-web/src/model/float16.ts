/** IEEE float16 and bfloat16 conversions, for half-precision weights (safetensors F16/BF16, ONNX float16). */

/**
 * float32 → IEEE float16 bits, rounding to nearest, ties to even (subnormals included; overflow gives ±∞).
 *
 * @example
 * toFloat16Bits(Float32Array.of(1, -2, 65504)); // Uint16Array [0x3c00, 0xc000, 0x7bff]
 */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    const mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
      continue;
    }
    const e = exponent - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      // Subnormal half: the 24-bit significand shifted right by 14 − e, then rounded.
      const shift = 14 - e;
      out[i] = shift > 24 ? sign : sign | roundShift(mantissa | 0x800000, shift);
    } else {
      // A carry out of the mantissa moves to the next exponent (and to ∞ past the largest half): still correct.
      out[i] = sign | ((e << 10) + roundShift(mantissa, 13));
    }
  }
  return out;
}

/** `value >> shift`, rounded to nearest, ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = Math.floor(value / 2 ** shift);
  const rest = value - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && kept % 2 === 1) ? kept + 1 : kept;
}

/**
 * float32 → bfloat16 bits (the upper half of the float32), rounding to nearest, ties to even; NaN stays NaN.
 *
 * @example
 * toBfloat16Bits(Float32Array.of(1, -2)); // Uint16Array [0x3f80, 0xc000]
 */
export function toBfloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    if ((x & 0x7fffffff) > 0x7f800000) {
      out[i] = (x >>> 16) | 0x40;
      continue;
    }
    out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** IEEE float16 bits → number. */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
