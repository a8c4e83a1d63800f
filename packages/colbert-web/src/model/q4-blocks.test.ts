import { describe, expect, it } from 'vitest';
import { Q4_BLOCK, canQuantizeQ4, dequantizeQ4, quantizeQ4, stackQ4 } from './q4-blocks.js';

/** Seeded normal-ish values (sum of uniforms), as random model weights are. */
function weights(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const u = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return Float32Array.from({ length: n }, () => (u() + u() + u() + u() - 2) * 0.05);
}

describe('4-bit blocks (MatMulNBits layout)', () => {
  it('packs a block that 4 bits hold exactly as MatMulNBits reads it: low nibble first, zero point, scale', () => {
    // x_k = (k mod 16 − 5) / 2: min −2.5, max 5, so scale 7.5 / 15 = 0.5, zero point 5, codes k mod 16.
    const x = Float32Array.from({ length: 64 }, (_, k) => ((k % 16) - 5) / 2);
    const q = quantizeQ4(x, 1, 64);
    expect([...q.scales]).toEqual([0.5, 0.5]);
    expect([...q.zeroPoints]).toEqual([5 | (5 << 4)]);
    // Byte j holds codes 2j (low) and 2j + 1 (high): (2j mod 16) | ((2j + 1) mod 16) << 4.
    expect([...q.packed]).toEqual(Array.from({ length: 32 }, (_, j) => ((2 * j) % 16) | (((2 * j + 1) % 16) << 4)));
    expect([...dequantizeQ4(q)]).toEqual([...x]);
  });

  it('puts each block zero point in its own nibble and handles all-zero and one-signed blocks', () => {
    const x = new Float32Array(96);
    for (let k = 32; k < 64; k++) x[k] = k - 32; // block 1: 0..31, zero point 0
    for (let k = 64; k < 96; k++) x[k] = -(k - 64); // block 2: −31..0, zero point 15
    const q = quantizeQ4(x, 1, 96);
    expect(q.scales[0]).toBe(0);
    expect([...q.zeroPoints]).toEqual([0, 15]); // blocks 0 and 1 share byte 0, block 2 is byte 1's low nibble
    const back = dequantizeQ4(q);
    for (let k = 0; k < 32; k++) expect(back[k]).toBe(0);
    expect(back[32]).toBe(0);
    expect(back[95]).toBeCloseTo(-31, 1);
  });

  it('keeps every block within the squared error of plain min–max rounding, and rows independent', () => {
    const [rows, cols] = [48, 256];
    const x = weights(rows * cols, 11);
    const back = dequantizeQ4(quantizeQ4(x, rows, cols));
    for (let b = 0; b < (rows * cols) / Q4_BLOCK; b++) {
      const block = x.subarray(b * Q4_BLOCK, (b + 1) * Q4_BLOCK);
      const min = Math.min(0, ...block);
      const max = Math.max(0, ...block);
      // Rounding to the nearest of 16 levels over [min, max] errs by at most half a step per weight (float16 scales
      // lose at most 2⁻¹¹ of a step more).
      const step = (max - min) / 15;
      let error = 0;
      for (let k = 0; k < Q4_BLOCK; k++) error += (back[b * Q4_BLOCK + k]! - block[k]!) ** 2;
      expect(error).toBeLessThanOrEqual(Q4_BLOCK * (step * (0.5 + 2 ** -10)) ** 2);
    }
    // A row quantised alone gives the same blocks as inside the matrix.
    const alone = quantizeQ4(x.subarray(5 * cols, 6 * cols), 1, cols);
    expect(dequantizeQ4(alone)).toEqual(back.subarray(5 * cols, 6 * cols));
  });

  it('stacks matrices row-wise as if they had been quantised together', () => {
    const [a, b] = [weights(3 * 64, 1), weights(5 * 64, 2)];
    const both = new Float32Array(8 * 64);
    both.set(a);
    both.set(b, a.length);
    expect(stackQ4([quantizeQ4(a, 3, 64), quantizeQ4(b, 5, 64)])).toEqual(quantizeQ4(both, 8, 64));
    expect(() => stackQ4([quantizeQ4(a, 3, 64), quantizeQ4(weights(32, 3), 1, 32)])).toThrow(/same number of columns/);
  });

  it('quantises only 2-D tensors whose rows are whole blocks', () => {
    expect(canQuantizeQ4([384, 1536])).toBe(true);
    expect(canQuantizeQ4([96, 384])).toBe(true);
    expect(canQuantizeQ4([10, 37])).toBe(false);
    expect(canQuantizeQ4([384])).toBe(false);
    expect(canQuantizeQ4([2, 32, 16])).toBe(false);
  });
});
